import type { ConsoleContext } from '../context';
import { HttpError } from '../http';
import { agentPage, alertsPage, fleetPage, type AgentPage, type AlertsPage, type FleetPage } from '../views';

/** GET /api/fleet: the agents table, from the feed's newest view. */
export function getFleet(ctx: ConsoleContext): FleetPage {
  return fleetPage(ctx.feed.latest(), ctx.feed.connection());
}

/** GET /api/agents/:name: one agent with its history for the charts; an unknown agent is a 404 in one line. */
export function getAgent(ctx: ConsoleContext, name: string): AgentPage {
  const view = ctx.feed.latest();
  const page = view && agentPage(view, name, ctx.feed.history.series(name), ctx.feed.connection());
  if (!page) throw new HttpError(404, `no agent '${name}' has sent a heartbeat to mesh.heartbeats in the last ${ctx.windowText}`);
  return page;
}

/** GET /api/alerts: pending and firing alerts, and the transitions seen since the console started. */
export function getAlerts(ctx: ConsoleContext): AlertsPage {
  return alertsPage(ctx.feed.latest(), ctx.feed.recentTransitions(), ctx.feed.connection());
}
