import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import pino, { type Logger } from 'pino';
import { apisForListener } from './api/registry';
import { GroupCoordinator } from './groups/coordinator';
import { startLogMaintenance } from './log/maintenance';
import { BrokerConfigError, resolveSecurity, type BrokerAuthorizerOptions, type BrokerSaslOptions, type BrokerTlsOptions } from './security/broker-security-options';
import { advertisedFor, usesSasl, usesTls, type ListenerSpec, type SecurityProtocol } from './security/listeners';
import { Connection, type ConnectionDeps } from './server/connection';
import { describeTlsFailure } from './server/tls-failure';
import { Cluster } from './state/cluster';
import { MemoryStorage } from './storage/memory-storage';
import type { Storage } from './storage/storage';
import { TransactionCoordinator } from './transactions/txn-coordinator';
import { FileTxnLog, MemoryTxnLog } from './transactions/txn-log';

export interface BrokerOptions {
  /** Interface to bind; 127.0.0.1 unless told otherwise. Ignored when `listeners` is given. */
  host?: string;
  /** 0 picks a free port. Default 9092. Ignored when `listeners` is given. */
  port?: number;
  /**
   * Kafka's `listeners`: `SASL_SSL://127.0.0.1:9093,PLAINTEXT://127.0.0.1:9092` (port 0 picks a free one).
   * Default: one PLAINTEXT listener on host:port.
   */
  listeners?: string | ListenerSpec[];
  /** Kafka's `advertised.listeners`: what Metadata tells clients to dial, per listener name (Docker, Kubernetes). */
  advertisedListeners?: string | ListenerSpec[];
  /** Kafka's `node.id`. Default 1. */
  nodeId?: number;
  /** Certificates for SSL and SASL_SSL listeners. */
  tls?: BrokerTlsOptions;
  /** Users and mechanisms for SASL_PLAINTEXT and SASL_SSL listeners. */
  sasl?: BrokerSaslOptions;
  /** Turns ACL checks on; without it every request is allowed (zero-config dev). */
  authorizer?: BrokerAuthorizerOptions;
  /** Keep data in this directory (survives restarts); in memory when absent. */
  dataDir?: string;
  /** Create unknown topics on Metadata and Produce. Default true. */
  autoCreateTopics?: boolean;
  /** Partitions of auto-created topics and of CreateTopics with -1. Default 1. */
  defaultPartitions?: number;
  /** Frames above this size close the connection. Default 100 MiB. */
  maxFrameBytes?: number;
  logger?: Logger;
  /** Used when no logger is given. Default 'warn'. */
  logLevel?: pino.Level | 'silent';
}

export interface RunningListener {
  name: SecurityProtocol;
  host: string;
  port: number;
  /** `host:port` as bound, ready for a client's broker list. */
  address: string;
}

export interface RunningBroker {
  /** The first listener's. */
  host: string;
  port: number;
  /** `host:port`, ready for a client's broker list. */
  address: string;
  /** Every listener, in the order configured, with the ports actually bound. */
  listeners: RunningListener[];
  stop(): Promise<void>;
}

export { BrokerConfigError };

/** Thrown when the broker cannot listen, e.g. the port is taken. */
export class BrokerListenError extends Error {
  override readonly name = 'BrokerListenError';
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly port: number,
  ) {
    super(message);
  }
}

function openStorage(dataDir: string | undefined, log: Logger): Storage {
  if (!dataDir) return new MemoryStorage();
  // Loaded lazily so the in-memory broker never touches the file system code.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load, which an import cannot be here
  const { FileStorage } = require('./storage/file-storage') as typeof import('./storage/file-storage');
  return new FileStorage(dataDir, { logger: log });
}

const formatAddress = (host: string, port: number): string => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** Binds one listener; a failure names the port and what to do. */
function listen(server: Server, spec: ListenerSpec, named: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? `port ${spec.port} on ${spec.host} is already in use` : err.message;
      reject(new BrokerListenError(`broker cannot listen${named ? ` (${spec.name})` : ''}: ${why}`, err.code, spec.port));
    };
    server.once('error', onError);
    server.listen(spec.port, spec.host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : spec.port);
    });
  });
}

export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const log = options.logger ?? pino({ level: options.logLevel ?? 'warn', base: { component: 'broker' } });
  // Configuration errors surface before anything is opened.
  const resolved = resolveSecurity({ ...options, host: options.host ?? '127.0.0.1', port: options.port ?? 9092 });
  const advertisedByName = advertisedFor(resolved.listeners, resolved.advertised);
  const nodeId = options.nodeId ?? 1;
  if (!Number.isInteger(nodeId) || nodeId < 0) throw new BrokerConfigError(`node id ${nodeId} is not a non-negative integer`);
  const storage = openStorage(options.dataDir, log);
  const clock = () => Date.now();
  const cluster = new Cluster(
    { nodeId, clusterId: `agentmesh-${randomBytes(6).toString('hex')}`, autoCreateTopics: options.autoCreateTopics ?? true, defaultPartitions: options.defaultPartitions ?? 1 },
    storage,
    clock,
  );
  const groups = new GroupCoordinator(storage, clock);
  // A deleted topic takes its committed offsets with it, so a re-created topic starts clean.
  cluster.onTopicDeleted((topic) => groups.forgetTopic(topic));
  // After topics and groups: recovery finishes the transactions a crash left decided, and aborts the open ones.
  const transactions = new TransactionCoordinator(cluster, groups, options.dataDir ? new FileTxnLog(options.dataDir, log) : new MemoryTxnLog(), clock, log);
  // Retention and compaction, on this event loop; the timer is unref'd.
  const maintenance = startLogMaintenance(cluster, { logger: log });
  const connections = new Set<Connection>();
  const maxFrameBytes = options.maxFrameBytes ?? 100 * 1024 * 1024;

  const servers: Server[] = [];
  const running: RunningListener[] = [];
  try {
    for (const spec of resolved.listeners) {
      const advertised = advertisedByName.get(spec.name) ?? null;
      const deps: ConnectionDeps = {
        cluster,
        groups,
        transactions,
        apis: apisForListener(usesSasl(spec.name)),
        log: log.child({ listener: spec.name }),
        maxFrameBytes,
        advertised: advertised && { host: advertised.host, port: advertised.port },
        tls: usesTls(spec.name),
        sasl: usesSasl(spec.name) ? resolved.sasl : null,
        security: resolved.security,
      };
      const accept = (socket: Socket) => {
        const conn = new Connection(socket, deps);
        connections.add(conn);
        socket.on('close', () => connections.delete(conn));
      };
      const server = resolved.tls && deps.tls ? tlsServer(resolved.tls, accept, deps.log) : createServer(accept);
      servers.push(server);
      const port = await listen(server, spec, options.listeners !== undefined);
      server.on('error', (err) => log.error({ err: err.message, listener: spec.name }, 'broker server error'));
      running.push({ name: spec.name, host: spec.host, port, address: formatAddress(spec.host, port) });
    }
  } catch (err) {
    for (const s of servers) s.close();
    maintenance.stop();
    transactions.close();
    cluster.close();
    throw err;
  }

  const first = running[0]!;
  let stopping: Promise<void> | null = null;
  return {
    host: first.host,
    port: first.port,
    address: first.address,
    listeners: running,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        let open = servers.length;
        for (const s of servers) s.close(() => --open === 0 && resolve());
        for (const c of connections) c.close();
        maintenance.stop();
        groups.close();
        transactions.close();
        cluster.close();
      });
      return stopping;
    },
  };
}

/** Slow or broken handshakes end within this, so a half-open TLS client cannot hold a socket. */
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

function tlsServer(material: { key: Buffer; cert: Buffer; ca?: Buffer; requestCert: boolean }, accept: (socket: Socket) => void, log: Logger): Server {
  const server = createTlsServer(
    { key: material.key, cert: material.cert, ca: material.ca, requestCert: material.requestCert, rejectUnauthorized: material.requestCert, handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS },
    (socket: TLSSocket) => accept(socket),
  );
  // A plaintext client, an untrusted certificate or a garbage ClientHello: one line, that socket only.
  server.on('tlsClientError', (err, socket) => {
    log.info({ client: socket.remoteAddress }, `TLS handshake failed: ${describeTlsFailure(err as NodeJS.ErrnoException)}`);
    socket.destroy();
  });
  return server;
}
