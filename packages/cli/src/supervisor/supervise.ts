import { resolve } from 'node:path';
import { createLogger } from '@agentmesh/runtime';
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../options';
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy';
import { Supervisor, type ReplicaView, type SupervisionEnd } from './supervisor';

/** More replica processes than this on one host is a typo, not a plan. */
export const MAX_REPLICAS = 64;

/** Commander parser of --replicas: a whole number from 1 to MAX_REPLICAS. */
export function parseReplicas(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_REPLICAS) throw new InvalidArgumentError(`'${value}' is not a replica count (a whole number from 1 to ${MAX_REPLICAS})`);
  return n;
}

/** The flags of `mesh run` a replica is started with: all of them but --replicas. */
export interface ReplicaFlags {
  brokers?: string[];
  registry?: string;
  json: boolean;
  redis?: string;
  port: number;
  host: string;
  sessionTimeout: number;
  drainTimeout: number;
  /** A one-active agent's lease TTL (ms); absent: DEFAULT_LEASE_TIMING's. */
  leaseTtl?: number;
  /** Obey chaos commands on mesh.control (mesh chaos). */
  chaos?: boolean;
}

/** The port of replica `replica`'s /metrics: P+i when --port P was given, else 0 (a free one). */
export function replicaPort(port: number, replica: number): number {
  return port > 0 ? port + replica : 0;
}

/** `mesh run` arguments of one replica: the same module and flags, without --replicas, its own port. */
export function replicaArgs(modulePath: string, flags: ReplicaFlags, replica: number): string[] {
  const args = ['run', modulePath];
  if (flags.brokers) args.push('--brokers', flags.brokers.join(','));
  if (flags.registry !== undefined) args.push('--registry', flags.registry);
  if (flags.json) args.push('--json');
  if (flags.redis !== undefined) args.push('--redis', flags.redis);
  args.push('--port', String(replicaPort(flags.port, replica)), '--host', flags.host);
  args.push('--session-timeout', String(flags.sessionTimeout), '--drain-timeout', String(flags.drainTimeout));
  if (flags.chaos) args.push('--chaos');
  if (flags.leaseTtl !== undefined) args.push('--lease-ttl', String(flags.leaseTtl));
  return args;
}

/** Node's own flags for the replicas: this process's, but not a debugger's (its port would be taken). */
function nodeFlags(): string[] {
  return process.execArgv.filter((a) => !/^--inspect|^--debug/.test(a));
}

/** After SIGTERM, a replica has its drain timeout for the handlers in flight, and this long again to commit and leave its group. */
const STOP_GRACE_MS = 5_000;

export interface SuperviseOptions {
  modulePath: string;
  replicas: number;
  flags: ReplicaFlags;
  /** Hidden --restart-delay: the first back-off (tests). */
  firstRestartDelayMs?: number;
}

/**
 * `mesh run --replicas N` (N >= 2): runs N `mesh run` replicas as child processes and supervises
 * them. Ends the process: exit 0 once SIGTERM/SIGINT stopped every replica within the bound; exit 1
 * once no replica is left running and at least one gave up on a crash loop (while one still runs,
 * the others keep running: they share the group, so it takes over the partitions of the lost ones).
 */
export async function superviseReplicas(options: SuperviseOptions): Promise<never> {
  const { replicas, flags } = options;
  const file = resolve(options.modulePath);
  try {
    // Only found, not loaded: an agent module runs its code in the replicas, not in the supervisor.
    require.resolve(file);
  } catch {
    throw new UsageError(`cannot find agent module ${file}`);
  }
  if (flags.port > 0 && flags.port + replicas - 1 > 65535)
    throw new UsageError(`--port ${flags.port} with --replicas ${replicas}: replica ${replicas - 1} would need port ${flags.port + replicas - 1} (the replicas take ports P to P+N-1)`);

  const policy: RestartPolicy = { ...DEFAULT_RESTART_POLICY, ...(options.firstRestartDelayMs !== undefined ? { firstDelayMs: options.firstRestartDelayMs } : {}) };
  const logger = createLogger({ name: 'supervisor' });
  const meshBin = process.argv[1]!;
  const supervisor = new Supervisor({
    replicas,
    argsOf: (i) => [...nodeFlags(), meshBin, ...replicaArgs(file, flags, i)],
    policy,
    stopTimeoutMs: flags.drainTimeout + STOP_GRACE_MS,
    logger,
    onAllReady: (views) => process.stderr.write(`${readyLine(views)}\n`), // stdout: JSON log lines only
  });

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      process.stderr.write(`received ${signal} again: killing the replicas\n`);
      supervisor.killAll();
      process.exit(1);
    }
    process.stderr.write(`received ${signal}, stopping ${replicas} replicas\n`);
    void supervisor.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  logger.info(
    { replicas, module: file, policy },
    `supervising ${replicas} replicas of ${file}: a crashed one restarts after ${policy.firstDelayMs} ms doubling to ${policy.maxDelayMs} ms; ${policy.crashLoopCrashes} crashes in a row is a crash loop`,
  );
  supervisor.start();
  return finish(await supervisor.done, replicas);
}

function readyLine(views: readonly ReplicaView[]): string {
  const agent = views[0]?.agent ?? 'agent';
  const urls = views.map((v) => `${v.observabilityUrl ?? 'none'} (replica ${v.index}, pid ${v.pid})`).join(', ');
  return `agent ${agent} ready: ${views.length} replica processes in group ${agent}, supervised; metrics, health and readiness at ${urls}`;
}

/** Exits as the end of supervision says: 0 after a clean stop or replicas that all exited by themselves, 1 otherwise. */
function finish(end: SupervisionEnd, replicas: number): never {
  if (end.how === 'stopped') {
    if (end.killed.length > 0) {
      process.stderr.write(`mesh: replica(s) ${end.killed.join(', ')} did not stop in time and were killed\n`);
      process.exit(1);
    }
    process.exit(0);
  }
  if (end.gaveUp.length === 0) process.exit(0);
  const all = end.gaveUp.length === replicas ? `all ${replicas} replicas gave up` : `replica(s) ${end.gaveUp.join(', ')} gave up and ${end.exited.join(', ')} exited`;
  process.stderr.write(`mesh: ${all} (crash loop): nothing left to supervise\n`);
  process.exit(1);
}
