import { join } from 'node:path';
import { spawnMeshProcess, type MeshProcess } from '../../demo/agent-processes';

/**
 * A part of the mesh run as a `mesh` process (a coordinator, a participant)
 * that the faults kill and start again: one process at a time, each start a
 * new incarnation with a log file of its own (`<name>.<n>.log`).
 */

export interface MeshRoleOptions {
  name: string;
  meshBin: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  logDir: string;
  /** Which output line (stdout or stderr) says the process is ready. */
  isReady: (line: string) => boolean;
  /** Once aborted, every process of the role is killed (SIGKILL). */
  signal: AbortSignal;
}

/** The ready line of `mesh coordinator` and of `mesh run` (not a JSON log line that happens to say "ready"). */
export function isMeshReadyLine(line: string): boolean {
  return /^(coordinator|agent \S+) ready\b/.test(line);
}

export class MeshRole {
  private current: MeshProcess | undefined;
  private readonly logs: string[] = [];

  constructor(private readonly options: MeshRoleOptions) {}

  get name(): string {
    return this.options.name;
  }

  /** The pid of the process running (or starting) now, if any. */
  pid(): number | undefined {
    return this.current?.pid;
  }

  logFiles(): string[] {
    return [...this.logs];
  }

  /**
   * Starts a new incarnation; resolves once it is ready. Rejects if it exits
   * first, or is not ready within `readyTimeoutMs`: then it is left running
   * (a coordinator that cannot claim its partitions is what a run is meant
   * to show, not to hide), and is still the role's to kill.
   */
  start(readyTimeoutMs: number): Promise<void> {
    if (this.options.signal.aborted) return Promise.reject(new Error(`not starting ${this.name}: the run was aborted`));
    if (this.current) return Promise.reject(new Error(`${this.name} is running already (pid ${this.current.pid})`));
    const logFile = join(this.options.logDir, `${this.name}.${this.logs.length + 1}.log`);
    this.logs.push(logFile);
    const { meshBin, args, env, isReady, signal } = this.options;
    const { process, ready } = spawnMeshProcess({ name: this.name, meshBin, args, env, logFile, readyTimeoutMs, isReady, signal });
    this.current = process;
    void process.ended.then(() => {
      if (this.current === process) this.current = undefined;
    });
    return ready;
  }

  /** kill -9 of the process running (or starting); resolves with how it ended (`none running` when there was none). */
  async kill9(): Promise<string> {
    const process = this.current;
    this.current = undefined;
    if (!process) return 'none running';
    return process.kill('SIGKILL');
  }

  /** SIGTERM of the process, SIGKILL after `graceMs`; resolves with how it ended. */
  async stop(graceMs: number): Promise<string> {
    const process = this.current;
    this.current = undefined;
    if (!process) return 'not running';
    return process.stop(graceMs);
  }
}

export interface StartRetryingOptions {
  readyTimeoutMs: number;
  /** Starts in all. */
  attempts: number;
  /** Before each retry, after a process that ended before it was ready (Redis was down at its start, say). */
  beforeRetry: () => Promise<void>;
}

/** Starts the role; a process that exits before it is ready is started again, up to `attempts` starts. */
export async function startRetrying(role: MeshRole, options: StartRetryingOptions): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await role.start(options.readyTimeoutMs);
    } catch (error) {
      const exited = error instanceof Error && /ended before it was ready/.test(error.message);
      if (!exited || attempt >= options.attempts) throw error;
      await options.beforeRetry();
    }
  }
}
