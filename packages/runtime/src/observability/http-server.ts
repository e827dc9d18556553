import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Registry } from 'prom-client';
import { DEFAULT_READINESS_CHECK_TIMEOUT_MS, describeError, ReadinessTimeoutError, runReadinessChecks, type ReadinessChecks, type ReadinessProbe, type ReadinessReport } from './readiness';

export interface ObservabilityServerOptions {
  /** Loopback by default: metrics and readiness are not for the open network unless asked. */
  host?: string;
  /** 0 (the default) picks a free port; read it back from the result. */
  port?: number;
  registry: Registry;
  /**
   * What /ready reports: named checks (each bounded by `readinessTimeoutMs`) or a probe producing
   * the whole report (bounded as a whole). Without it the process is ready whenever it is alive.
   */
  readiness?: ReadinessProbe | ReadinessChecks;
  /** Default 2 s. */
  readinessTimeoutMs?: number;
  /** Told about server errors after start-up (they are otherwise ignored rather than fatal). */
  onError?: (error: Error) => void;
}

export interface ObservabilityServer {
  readonly port: number;
  /** e.g. http://127.0.0.1:39411 */
  readonly url: string;
  /** Stops listening and closes open connections; safe to call more than once. */
  stop(): Promise<void>;
}

/** The server could not start (port in use, bad host). */
export class ObservabilityServerError extends Error {
  override readonly name = 'ObservabilityServerError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A probe that bounds its own checks at the same timeout as ours should get to report which check
 * hung, so the outer bound on a whole probe waits this much longer.
 */
const PROBE_GRACE_MS = 500;

/** Serves GET /metrics, /health and /ready. Never lets a bad request take the process down. */
export async function startObservabilityServer(options: ObservabilityServerOptions): Promise<ObservabilityServer> {
  const host = options.host ?? '127.0.0.1';
  const readinessTimeoutMs = options.readinessTimeoutMs ?? DEFAULT_READINESS_CHECK_TIMEOUT_MS;
  const evaluateReadiness = makeReadinessEvaluator(options.readiness, readinessTimeoutMs);

  const server = createServer((req, res) => {
    handleRequest(req, res, options.registry, evaluateReadiness).catch((error: unknown) => {
      sendJson(res, 500, { error: 'internal error', detail: describeError(error) });
    });
  });
  // Malformed HTTP never reaches the handler; answer 400 instead of letting the socket error bubble.
  server.on('clientError', (_error: Error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  await listen(server, host, options.port ?? 0);
  server.on('error', (error: Error) => options.onError?.(error));
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let stopped: Promise<void> | undefined;
  return {
    port,
    url: `http://${urlHost}:${port}`,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets (Prometheus scrapers keep them) would otherwise hold close() open.
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

type ReadinessEvaluator = () => Promise<ReadinessReport>;

function makeReadinessEvaluator(readiness: ObservabilityServerOptions['readiness'], timeoutMs: number): ReadinessEvaluator {
  if (readiness === undefined) return async () => ({ ready: true, checks: {} });
  if (typeof readiness !== 'function') return () => runReadinessChecks(readiness, timeoutMs);
  const probe = readiness;
  return async () => {
    const boundMs = timeoutMs + PROBE_GRACE_MS;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ReadinessTimeoutError(boundMs)), boundMs);
    });
    try {
      return await Promise.race([Promise.resolve().then(probe), deadline]);
    } catch (error) {
      return { ready: false, checks: { readiness: { ok: false, detail: describeError(error) } } };
    } finally {
      clearTimeout(timer);
    }
  };
}

async function handleRequest(req: IncomingMessage, res: ServerResponse, registry: Registry, readiness: ReadinessEvaluator): Promise<void> {
  const path = requestPath(req.url);
  const route = path === undefined ? undefined : ROUTES[path];
  if (route === undefined) {
    sendJson(res, 404, { error: 'not found' });
    return;
  }
  if (req.method !== 'GET') {
    res.setHeader('Allow', 'GET');
    sendJson(res, 405, { error: 'method not allowed' });
    return;
  }
  switch (route) {
    case 'metrics': {
      const body = await registry.metrics();
      send(res, 200, registry.contentType, body);
      return;
    }
    case 'health':
      sendJson(res, 200, { status: 'ok' });
      return;
    case 'ready': {
      const report = await readiness();
      sendJson(res, report.ready ? 200 : 503, report);
      return;
    }
  }
}

const ROUTES: Readonly<Record<string, 'metrics' | 'health' | 'ready' | undefined>> = {
  '/metrics': 'metrics',
  '/health': 'health',
  '/ready': 'ready',
};

/** The path without query string; undefined for a target no URL parser accepts. */
function requestPath(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  // The client may have gone away while a readiness check was running.
  if (res.headersSent || res.destroyed || res.writableEnded) return;
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      reject(new ObservabilityServerError(`cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
