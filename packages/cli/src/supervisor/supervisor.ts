import { spawn, type ChildProcess } from 'node:child_process';
import type { createLogger } from '@agentmesh/runtime';
import { relayLines } from './line-relay';
import { isReplicaReadyMessage, REPLICA_ENV, RESTARTS_ENV } from './replica';
import { crashesInARow, decideRestart, DEFAULT_RESTART_POLICY, type Crash, type RestartPolicy } from './restart-policy';

type Logger = ReturnType<typeof createLogger>;

export interface SupervisorOptions {
  replicas: number;
  /** Node's arguments (after the executable) that run replica `replica`; the same for each of its restarts. */
  argsOf(replica: number): string[];
  /** The replicas' environment, to which the supervisor adds MESH_REPLICA and MESH_RESTARTS. Default: this process's. */
  env?: NodeJS.ProcessEnv;
  policy?: RestartPolicy;
  /** How long stop() waits for the replicas to exit after SIGTERM before it kills them. */
  stopTimeoutMs: number;
  /** Restarts and give-ups, one JSON line each. */
  logger: Logger;
  /** Where the replicas' stdout and stderr lines go, labelled with the replica. Default: this process's. */
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** Told once, the first time every replica has said it is ready. */
  onAllReady?: (replicas: readonly ReplicaView[]) => void;
  clock?: () => number;
  /** Default: this Node. */
  execPath?: string;
}

/** A replica as others may look at it. */
export interface ReplicaView {
  readonly index: number;
  /** running: its process is up; waiting: to be restarted after a back-off; gave-up: a crash loop; exited: it ended by itself with code 0; stopped: by stop(). */
  readonly state: 'running' | 'waiting' | 'gave-up' | 'exited' | 'stopped';
  readonly pid: number | undefined;
  readonly restarts: number;
  readonly agent: string | undefined;
  readonly observabilityUrl: string | undefined;
}

/** How supervision ended. */
export type SupervisionEnd =
  /** stop() was called; `killed`: replicas that had not exited within the bound and were killed. */
  | { how: 'stopped'; killed: number[] }
  /** No replica is left running: each gave up (a crash loop) or exited by itself. */
  | { how: 'ended'; gaveUp: number[]; exited: number[] };

interface Replica extends ReplicaView {
  state: ReplicaView['state'];
  pid: number | undefined;
  restarts: number;
  agent: string | undefined;
  observabilityUrl: string | undefined;
  child: ChildProcess | undefined;
  /** Resolves when the current process has exited and its output is relayed. */
  closed: Promise<void>;
  startedAt: number;
  crashes: Crash[];
  timer: NodeJS.Timeout | undefined;
  /** The last line on its stderr that says something (not a stack frame), for the give-up status. */
  lastError: string | undefined;
}

/** How a process ended, in words: `exit code 1`, `killed by SIGKILL`. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

/** True for a stderr line worth quoting when a replica gives up: not blank, not a stack frame, not Node's version banner. */
export function isTellingLine(line: string): boolean {
  const t = line.trim();
  return t !== '' && !/^at\s/.test(t) && !/^Node\.js v\d/.test(t) && !/^\^+$/.test(t);
}

/**
 * Runs N replicas of a command as child processes, relays their output line by line labelled with
 * the replica, restarts one that crashes (a non-zero exit or a signal) after the policy's back-off,
 * and gives one up on a crash loop while the others keep running. A replica that exits with code 0
 * by itself (someone stopped it) is not restarted. stop() sends every replica SIGTERM and waits for
 * it, bounded, then kills what is left.
 *
 * Each replica runs in a process group of its own, so a Ctrl-C in a terminal reaches the
 * supervisor alone and each replica gets one SIGTERM from it; each has an IPC channel to the
 * supervisor, through which it says it is ready and by whose closing it notices the supervisor died.
 */
export class Supervisor {
  private readonly replicas: Replica[];
  private readonly policy: RestartPolicy;
  private readonly clock: () => number;
  private readonly out: (text: string) => void;
  private readonly err: (text: string) => void;
  private stopping: Promise<SupervisionEnd> | undefined;
  private allReadySaid = false;
  private resolveDone!: (end: SupervisionEnd) => void;
  /** Resolves once supervision is over: every replica gave up or exited, or stop() finished. */
  readonly done: Promise<SupervisionEnd>;

  constructor(private readonly options: SupervisorOptions) {
    this.policy = options.policy ?? DEFAULT_RESTART_POLICY;
    this.clock = options.clock ?? Date.now;
    this.out = options.stdout ?? ((text) => void process.stdout.write(text));
    this.err = options.stderr ?? ((text) => void process.stderr.write(text));
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.replicas = Array.from({ length: options.replicas }, (_, index) => ({
      index,
      state: 'waiting',
      pid: undefined,
      restarts: 0,
      agent: undefined,
      observabilityUrl: undefined,
      child: undefined,
      closed: Promise.resolve(),
      startedAt: 0,
      crashes: [],
      timer: undefined,
      lastError: undefined,
    }));
  }

  start(): void {
    for (const r of this.replicas) this.spawn(r);
  }

  view(): ReplicaView[] {
    return this.replicas.map(({ index, state, pid, restarts, agent, observabilityUrl }) => ({ index, state, pid, restarts, agent, observabilityUrl }));
  }

  /** SIGTERM to every replica; waits for them up to stopTimeoutMs, then kills the rest. No restart after this. */
  stop(): Promise<SupervisionEnd> {
    this.stopping ??= (async () => {
      for (const r of this.replicas) {
        if (r.timer) clearTimeout(r.timer);
        r.timer = undefined;
        if (r.state === 'waiting') r.state = 'stopped';
      }
      const live = this.replicas.filter((r) => r.child !== undefined);
      for (const r of live) r.child!.kill('SIGTERM');
      const killed: number[] = [];
      await Promise.all(
        live.map(async (r) => {
          if (await this.within(r.closed, this.options.stopTimeoutMs)) return;
          killed.push(r.index);
          this.options.logger.error(
            { replica: r.index, replicaPid: r.pid, waitedMs: this.options.stopTimeoutMs },
            `replica ${r.index} did not stop within ${this.options.stopTimeoutMs} ms of SIGTERM: killing it`,
          );
          r.child?.kill('SIGKILL');
          await r.closed;
        }),
      );
      const end: SupervisionEnd = { how: 'stopped', killed: killed.sort((a, b) => a - b) };
      this.resolveDone(end);
      return end;
    })();
    return this.stopping;
  }

  /** Sends SIGKILL to every replica still running (a second Ctrl-C). */
  killAll(): void {
    for (const r of this.replicas) r.child?.kill('SIGKILL');
  }

  private async within(promise: Promise<void>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([promise.then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private spawn(r: Replica): void {
    const { logger } = this.options;
    const env = { ...(this.options.env ?? process.env), [REPLICA_ENV]: String(r.index), [RESTARTS_ENV]: String(r.restarts) };
    const child = spawn(this.options.execPath ?? process.execPath, this.options.argsOf(r.index), { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
    r.child = child;
    r.pid = child.pid;
    r.state = 'running';
    r.startedAt = this.clock();
    r.lastError = undefined;
    r.observabilityUrl = undefined;
    relayLines(child.stdout!, r.index, this.out);
    relayLines(child.stderr!, r.index, this.err, (line) => {
      if (isTellingLine(line)) r.lastError = line.trim();
    });
    child.on('message', (message) => {
      if (!isReplicaReadyMessage(message) || r.child !== child) return;
      r.agent = message.agent;
      r.observabilityUrl = message.observabilityUrl;
      logger.info({ replica: r.index, replicaPid: r.pid, restarts: r.restarts, agent: r.agent, observabilityUrl: r.observabilityUrl }, `replica ${r.index} ready`);
      this.maybeAllReady();
    });
    let ended = false;
    r.closed = new Promise((resolve) => {
      const onEnd = (code: number | null, signal: NodeJS.Signals | null) => {
        if (ended) return;
        ended = true;
        this.onEnd(r, child, code, signal);
        resolve();
      };
      child.once('close', onEnd);
      child.once('error', (error) => {
        // The process could not be started (or signalled): without a pid there will be no close.
        logger.error({ replica: r.index, error: error.message }, `replica ${r.index}: ${error.message}`);
        if (child.pid === undefined) {
          r.lastError = error.message;
          onEnd(null, null);
        }
      });
    });
    logger.info({ replica: r.index, replicaPid: r.pid, restarts: r.restarts }, `replica ${r.index} started`);
  }

  private maybeAllReady(): void {
    if (this.allReadySaid || !this.replicas.every((r) => r.state === 'running' && r.agent !== undefined)) return;
    this.allReadySaid = true;
    this.options.onAllReady?.(this.view());
  }

  private onEnd(r: Replica, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (r.child !== child) return;
    const { logger } = this.options;
    const pid = r.pid;
    r.child = undefined;
    const exit = { replica: r.index, replicaPid: pid, exitCode: code, signal, restarts: r.restarts };
    if (this.stopping) {
      r.state = 'stopped';
      logger.info(exit, `replica ${r.index} stopped (${describeExit(code, signal)})`);
      return;
    }
    if (code === 0) {
      r.state = 'exited';
      logger.warn(exit, `replica ${r.index} exited by itself (exit code 0): not restarted`);
      this.maybeEnded();
      return;
    }
    const now = this.clock();
    r.crashes = [...crashesInARow([...r.crashes, { startedAt: r.startedAt, crashedAt: now }], this.policy)];
    const decision = decideRestart(r.crashes, this.policy);
    if (decision.action === 'restart') {
      r.state = 'waiting';
      logger.warn(
        { ...exit, restarts: r.restarts + 1, crashesInARow: decision.crashesInARow, delayMs: decision.delayMs, upMs: now - r.startedAt },
        `replica ${r.index} crashed (${describeExit(code, signal)}): restart ${r.restarts + 1} in ${decision.delayMs} ms`,
      );
      r.timer = setTimeout(() => {
        r.timer = undefined;
        r.restarts += 1;
        this.spawn(r);
      }, decision.delayMs);
      return;
    }
    r.state = 'gave-up';
    const left = this.replicas.filter((x) => x.state === 'running' || x.state === 'waiting').length;
    const last = `last ${describeExit(code, signal)}${r.lastError ? `: ${r.lastError}` : ''}`;
    logger.error({ ...exit, crashesInARow: decision.crashesInARow, reason: decision.reason, lastError: r.lastError ?? null, replicasLeft: left }, `replica ${r.index} gave up: ${decision.reason}`);
    this.err(`mesh: replica ${r.index} gave up (${decision.reason}; ${last}); ${left} of ${this.replicas.length} replicas still running\n`);
    this.maybeEnded();
  }

  private maybeEnded(): void {
    if (this.stopping || this.replicas.some((r) => r.state === 'running' || r.state === 'waiting')) return;
    const of = (state: ReplicaView['state']) => this.replicas.filter((r) => r.state === state).map((r) => r.index);
    this.resolveDone({ how: 'ended', gaveUp: of('gave-up'), exited: of('exited') });
  }
}
