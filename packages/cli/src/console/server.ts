import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FleetReader } from '../fleet';
import { kafkaClient } from '../kafka';
import { checkAction, checkBinding } from './access';
import { getAgent, getAlerts, getFleet } from './api/fleet';
import { listDlq, listLetters, replay } from './api/dlq';
import { getSaga, listSagas, resumeSaga } from './api/sagas';
import { getTrace } from './api/trace';
import { loadAssets, type Asset } from './assets';
import type { ConsoleContext } from './context';
import { errorAnswer } from './errors';
import { FleetFeed, type FleetSource } from './fleet-feed';
import { readJsonBody, sendJson } from './http';
import { matchRoute, type Route } from './routes';

export interface ConsoleOptions {
  brokers: string[];
  registryUrl: string;
  redisUrl: string;
  /** Default 127.0.0.1; another host needs a token or `insecure`. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  token?: string | undefined;
  insecure?: boolean;
  windowMs: number;
  windowText: string;
  /** How often the fleet is read. */
  everyMs?: number;
  sagaKeyPrefix?: string;
  /** Publish alert transitions on mesh.alerts, as `mesh status --watch` does. */
  publishAlerts?: boolean;
  /** Where the console tells what it does (alert transitions, warnings), one line each. */
  log?: (line: string) => void;
  /** A fleet source other than the cluster's (tests). */
  source?: FleetSource;
}

export interface RunningConsole {
  url: string;
  host: string;
  port: number;
  feed: FleetFeed;
  stop(): Promise<void>;
}

const HISTORY_SIZE = 720;
/** How long a stop waits for answers under way. */
const STOP_GRACE_MS = 15_000;

/** The web console: a JSON API over the fleet model, the DLQ, the saga store and the trace index, and the pages that read it. */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const host = options.host ?? '127.0.0.1';
  const { warning } = checkBinding({ host, token: options.token, insecure: options.insecure ?? false });
  if (warning) options.log?.(`warning: ${warning}`);
  const { page, assets } = loadAssets();
  const everyMs = options.everyMs ?? 3_000;
  const source =
    options.source ??
    new FleetReader({
      kafka: kafkaClient(options.brokers, 'mesh-console'),
      registryUrl: options.registryUrl,
      windowMs: options.windowMs,
      publishAlerts: options.publishAlerts ?? false,
      ...(options.log ? { log: options.log } : {}),
    });
  const feed = new FleetFeed(source, { everyMs, historySize: HISTORY_SIZE, refreshTimeoutMs: Math.max(10_000, everyMs * 2), brokers: options.brokers, windowText: options.windowText });
  const ctx: ConsoleContext = {
    feed,
    brokers: options.brokers,
    registryUrl: options.registryUrl,
    redisUrl: options.redisUrl,
    sagaKeyPrefix: options.sagaKeyPrefix ?? 'mesh:saga:',
    windowText: options.windowText,
  };
  // Answers under way, so that stopping lets them finish (and close their Kafka clients) before the feed stops.
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const answered = handle(req, res, ctx, page, assets, options.token).catch((error: unknown) => {
      const answer = errorAnswer(error);
      if (!res.headersSent) sendJson(res, answer.status, { error: answer.error });
      else res.end();
    });
    inFlight.add(answered);
    void answered.finally(() => inFlight.delete(answered));
  });
  await listen(server, host, options.port);
  feed.start();
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    host,
    port,
    feed,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise<void>((resolve) => (bound = setTimeout(resolve, STOP_GRACE_MS)))]);
      clearTimeout(bound);
      server.closeAllConnections();
      await closed;
      await feed.stop();
    },
  };
}

/** A port already taken, said in one line. */
export class ConsolePortError extends Error {
  override readonly name = 'ConsolePortError';
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new ConsolePortError(`port ${port} on ${host} is taken by another process; choose another with --port (0 picks a free one)`) : error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function sendAsset(res: ServerResponse, asset: Asset, head: boolean): void {
  res.writeHead(200, { 'Content-Type': asset.type, 'Content-Length': asset.body.length, 'Cache-Control': asset.cacheControl, 'X-Content-Type-Options': 'nosniff' });
  res.end(head ? undefined : asset.body);
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

async function handle(req: IncomingMessage, res: ServerResponse, ctx: ConsoleContext, page: Asset, assets: ReadonlyMap<string, Asset>, token: string | undefined): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://console.invalid');
  const method = req.method ?? 'GET';
  const match = matchRoute(method, url.pathname);
  if ('status' in match) return sendJson(res, match.status, { error: match.error });
  const route: Route = match.route;
  if (route.name === 'page') return sendAsset(res, page, method === 'HEAD');
  if (route.name === 'asset') {
    const asset = assets.get(route.path);
    return asset ? sendAsset(res, asset, method === 'HEAD') : sendJson(res, 404, { error: `no such asset: ${route.path}` });
  }
  if (method === 'POST') {
    const verdict = checkAction({ method, host: header(req, 'host'), origin: header(req, 'origin'), contentType: header(req, 'content-type'), authorization: header(req, 'authorization') }, token);
    if (!verdict.ok) return sendJson(res, verdict.status, { error: verdict.error });
  }
  sendJson(res, 200, await answer(route, ctx, url.searchParams, req));
}

async function answer(route: Exclude<Route, { name: 'page' } | { name: 'asset' }>, ctx: ConsoleContext, query: URLSearchParams, req: IncomingMessage): Promise<unknown> {
  switch (route.name) {
    case 'fleet':
      return getFleet(ctx);
    case 'agent':
      return getAgent(ctx, route.agent);
    case 'alerts':
      return getAlerts(ctx);
    case 'dlq-list':
      return listDlq(ctx);
    case 'dlq-letters':
      return listLetters(ctx, route.agent, query);
    case 'dlq-replay':
      return replay(ctx, route.agent, await readJsonBody(req));
    case 'saga-list':
      return listSagas(ctx, query);
    case 'saga':
      return getSaga(ctx, route.id);
    case 'saga-resume':
      return resumeSaga(ctx, route.id);
    case 'trace':
      return getTrace(ctx, route.id);
  }
}
