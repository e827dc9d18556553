import type { Fleet } from '../fleet';

/** One agent at one refresh: the figures the agent page charts. */
export interface AgentPoint {
  at: number;
  lagRecords: number;
  lagSeconds: number | null;
  processed: number;
  retried: number;
  deadLettered: number;
  errorRate: number;
  p50Ms: number | null;
  p99Ms: number | null;
  alive: number;
}

/** An agent's history as columns, oldest first, the way a chart takes them (times in seconds). */
export interface AgentSeries {
  at: number[];
  lagRecords: number[];
  processed: number[];
  retried: number[];
  deadLettered: number[];
  errorRate: number[];
  p99Ms: Array<number | null>;
}

/**
 * The last `capacity` refreshes of each agent, kept in memory for the charts: the fleet model knows only its window,
 * the console remembers what it saw since it started.
 */
export class FleetHistory {
  private readonly byAgent = new Map<string, AgentPoint[]>();

  constructor(private readonly capacity: number) {}

  add(fleet: Fleet): void {
    for (const agent of fleet.agents) {
      const points = this.byAgent.get(agent.name) ?? [];
      // A refresh that read nothing new repeats the last point's time; keep one point per time.
      if (points.length > 0 && points[points.length - 1]!.at >= fleet.at) continue;
      points.push({
        at: fleet.at,
        lagRecords: agent.lag.records,
        lagSeconds: agent.lag.seconds,
        processed: agent.rates.processed,
        retried: agent.rates.retried,
        deadLettered: agent.rates.deadLettered,
        errorRate: agent.errorRate,
        p50Ms: agent.p50Ms,
        p99Ms: agent.p99Ms,
        alive: agent.alive,
      });
      if (points.length > this.capacity) points.splice(0, points.length - this.capacity);
      this.byAgent.set(agent.name, points);
    }
  }

  points(agent: string): readonly AgentPoint[] {
    return this.byAgent.get(agent) ?? [];
  }

  series(agent: string): AgentSeries {
    return seriesOf(this.points(agent));
  }
}

export function seriesOf(points: readonly AgentPoint[]): AgentSeries {
  return {
    at: points.map((p) => Math.round(p.at / 1000)),
    lagRecords: points.map((p) => p.lagRecords),
    processed: points.map((p) => p.processed),
    retried: points.map((p) => p.retried),
    deadLettered: points.map((p) => p.deadLettered),
    errorRate: points.map((p) => p.errorRate),
    p99Ms: points.map((p) => p.p99Ms),
  };
}
