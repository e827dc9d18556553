import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import pino, { type Logger } from 'pino';
import { ALL_APIS, APIS_BY_KEY } from './api/registry';
import { GroupCoordinator } from './groups/coordinator';
import { startLogMaintenance } from './log/maintenance';
import { Connection } from './server/connection';
import { Cluster } from './state/cluster';
import { MemoryStorage } from './storage/memory-storage';
import type { Storage } from './storage/storage';

export interface BrokerOptions {
  /** Interface to bind; 127.0.0.1 unless told otherwise. */
  host?: string;
  /** 0 picks a free port. Default 9092. */
  port?: number;
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

export interface RunningBroker {
  host: string;
  port: number;
  /** `host:port`, ready for a client's broker list. */
  address: string;
  stop(): Promise<void>;
}

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

export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const host = options.host ?? '127.0.0.1';
  const log = options.logger ?? pino({ level: options.logLevel ?? 'warn', base: { component: 'broker' } });
  const storage = openStorage(options.dataDir, log);
  const clock = () => Date.now();
  const cluster = new Cluster(
    { nodeId: 1, clusterId: `agentmesh-${randomBytes(6).toString('hex')}`, autoCreateTopics: options.autoCreateTopics ?? true, defaultPartitions: options.defaultPartitions ?? 1 },
    storage,
    clock,
  );
  const groups = new GroupCoordinator(storage, clock);
  // A deleted topic takes its committed offsets with it, so a re-created topic starts clean.
  cluster.onTopicDeleted((topic) => groups.forgetTopic(topic));
  // Retention and compaction, on this event loop; the timer is unref'd.
  const maintenance = startLogMaintenance(cluster, { logger: log });
  const connections = new Set<Connection>();
  const deps = { cluster, groups, apis: APIS_BY_KEY, apiList: ALL_APIS, log, maxFrameBytes: options.maxFrameBytes ?? 100 * 1024 * 1024 };

  const server: Server = createServer((socket: Socket) => {
    const conn = new Connection(socket, deps);
    connections.add(conn);
    socket.on('close', () => connections.delete(conn));
  });

  const requestedPort = options.port ?? 9092;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      maintenance.stop();
      cluster.close();
      const why = err.code === 'EADDRINUSE' ? `port ${requestedPort} on ${host} is already in use` : err.message;
      reject(new BrokerListenError(`broker cannot listen: ${why}`, err.code, requestedPort));
    };
    server.once('error', onError);
    server.listen(requestedPort, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err: err.message }, 'broker server error'));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : requestedPort;

  let stopping: Promise<void> | null = null;
  return {
    host,
    port,
    address: `${host.includes(':') ? `[${host}]` : host}:${port}`,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of connections) c.close();
        maintenance.stop();
        groups.close();
        cluster.close();
      });
      return stopping;
    },
  };
}
