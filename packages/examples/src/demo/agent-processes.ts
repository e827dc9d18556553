import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** A `mesh` command run as its own process: `mesh <args...>`. */
export interface MeshProcessOptions {
  /** Names the process in errors: `agent 'ocr'`, `coordinator-2`. */
  name: string;
  /** packages/cli/bin/mesh.js. */
  meshBin: string;
  /** The command and its flags, e.g. `['run', module, '--brokers', ...]`. */
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Where the process's stdout and stderr go (pino JSON lines). */
  logFile: string;
  /** Bound on start-up until the `ready` line. Default 60 s. */
  readyTimeoutMs?: number;
  /** Which output line (stdout or stderr) says the process is ready. Default isReadyLine. */
  isReady?: (line: string) => boolean;
  /** Once aborted, the process is killed (SIGKILL), whether it is still starting or running. */
  signal?: AbortSignal;
}

export interface MeshProcess {
  readonly name: string;
  readonly pid: number | undefined;
  readonly logFile: string;
  /** Resolves with how the process ended (`exit code 0`, `killed by SIGKILL`), once it has. */
  readonly ended: Promise<string>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Resolves with how it ended. */
  stop(graceMs?: number): Promise<string>;
  /** Sends `signal` (default SIGKILL: no chance to clean up) and resolves with how it ended. */
  kill(signal?: NodeJS.Signals): Promise<string>;
}

export interface AgentProcessOptions extends Omit<MeshProcessOptions, 'name' | 'args'> {
  agent: string;
  /** Absolute path of the built agent module (its default export is the agent). */
  modulePath: string;
  brokers: string[];
  registryUrl: string;
}

export interface AgentProcess extends MeshProcess {
  readonly agent: string;
}

/** A line of `mesh run` saying the agent joined its group (and not one saying it is not ready). */
export function isReadyLine(line: string): boolean {
  return /\bready\b/i.test(line) && !/\bnot ready\b/i.test(line);
}

function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

/** How a child ended, once it has; resolves at once if it already did. */
function exited(child: ChildProcess): Promise<string> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(exitText(child.exitCode, child.signalCode));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(exitText(code, signal))));
}

/** A `mesh` process just spawned, and whether it got ready. */
export interface SpawnedMeshProcess {
  process: MeshProcess;
  /**
   * Resolves once the process prints its ready line; rejects if it exits
   * first, or stays silent past the bound (it is left running then: the
   * caller decides).
   */
  ready: Promise<void>;
}

/** Spawns `mesh <args>` as its own process, its output going to its log file. */
export function spawnMeshProcess(options: MeshProcessOptions): SpawnedMeshProcess {
  if (!existsSync(options.meshBin)) throw new Error(`the mesh command ${options.meshBin} does not exist`);
  const child = spawn(process.execPath, [options.meshBin, ...options.args], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
  // The JSON logs come on stdout, the ready line (a line for a person) on stderr: both go to the log, both are watched.
  const outputs = [createInterface({ input: child.stdout! }), createInterface({ input: child.stderr! })];
  // The log ends when the child's pipes are drained, which can be after its exit event.
  child.once('close', () => log.end());
  const ended = exited(child);
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const isReady = options.isReady ?? isReadyLine;
  const { signal } = options;
  if (signal) {
    const killNow = () => void child.kill('SIGKILL');
    if (signal.aborted) killNow();
    else {
      signal.addEventListener('abort', killNow, { once: true });
      void ended.then(() => signal.removeEventListener('abort', killNow));
    }
  }

  let timer: NodeJS.Timeout | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    let seen = false;
    for (const lines of outputs) {
      lines.on('line', (line) => {
        log.write(`${line}\n`);
        if (!seen && isReady(line)) {
          seen = true;
          resolve();
        }
      });
    }
    void ended.then((how) => reject(new Error(`${options.name} ended before it was ready (${how}); see ${options.logFile}`)));
    timer = setTimeout(() => reject(new Error(`${options.name} was not ready within ${readyTimeoutMs} ms; see ${options.logFile}`)), readyTimeoutMs);
  });
  const settled = () => clearTimeout(timer);
  void ready.then(settled, settled);

  let stopping: Promise<string> | undefined;
  return {
    ready,
    process: {
      name: options.name,
      pid: child.pid,
      logFile: options.logFile,
      ended,
      stop(graceMs = 20_000) {
        stopping ??= (async () => {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          try {
            return await ended;
          } finally {
            clearTimeout(killer);
          }
        })();
        return stopping;
      },
      kill(signal: NodeJS.Signals = 'SIGKILL') {
        child.kill(signal);
        return ended;
      },
    },
  };
}

/**
 * Runs `mesh <args>` as its own process, and resolves once it prints its
 * ready line; rejects (and kills it) if it exits or stays silent past the
 * bound, pointing at its log.
 */
export async function startMeshProcess(options: MeshProcessOptions): Promise<MeshProcess> {
  const { process, ready } = spawnMeshProcess(options);
  try {
    await ready;
    return process;
  } catch (error) {
    await process.kill('SIGKILL');
    throw error;
  }
}

/** Runs one agent as its own process with `mesh run` (see startMeshProcess). */
export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  if (!existsSync(options.modulePath)) throw new Error(`agent module ${options.modulePath} does not exist: build packages/examples first (npx tsc -p packages/examples)`);
  const args = ['run', options.modulePath, '--brokers', options.brokers.join(','), '--registry', options.registryUrl, '--port', '0'];
  const started = await startMeshProcess({ name: `agent '${options.agent}'`, meshBin: options.meshBin, args, env: options.env, logFile: options.logFile, readyTimeoutMs: options.readyTimeoutMs });
  return { ...started, agent: options.agent };
}

/** Where an agent's log goes in the demo's directory. */
export function agentLogFile(dir: string, agent: string): string {
  return join(dir, `${agent}.log`);
}

/** packages/cli/bin/mesh.js of this repository: the demos' `mesh` command. */
export const REPO_MESH_BIN = resolve(__dirname, '..', '..', '..', 'cli', 'bin', 'mesh.js');

/** A demo run's directories: `workDir` (default: a new temporary one, `prefix` + random), its logs/ (created) and broker/ (the broker's data). */
export function demoDirectories(workDir: string | undefined, prefix: string): { logDir: string; dataDir: string } {
  const dir = resolve(workDir ?? mkdtempSync(join(tmpdir(), prefix)));
  const logDir = join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  return { logDir, dataDir: join(dir, 'broker') };
}

/** What every agent process of a demo shares; each one's log is `agentLogFile(logDir, agent)`. */
export type SharedAgentProcessOptions = Omit<AgentProcessOptions, 'agent' | 'modulePath' | 'logFile'> & { logDir: string };

/**
 * Starts the agents' processes together. Each one that starts is added to `started` (so the caller stops it,
 * whatever happens next); once all have settled, the first failure is thrown.
 */
export async function startAgentProcesses(agents: ReadonlyArray<{ agent: string; modulePath: string }>, shared: SharedAgentProcessOptions, started: AgentProcess[]): Promise<void> {
  const { logDir, ...common } = shared;
  const results = await Promise.allSettled(agents.map((a) => startAgentProcess({ ...common, ...a, logFile: agentLogFile(logDir, a.agent) })));
  for (const r of results) if (r.status === 'fulfilled') started.push(r.value);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** `agent pid, ...` of running agent processes. */
export function agentPids(agents: readonly AgentProcess[]): string {
  return agents.map((a) => `${a.agent} ${a.pid}`).join(', ');
}

/** Stops the agents' processes together; resolves with how each ended (`agent: how, ...`; '' when there were none). */
export async function stopAgentProcesses(agents: readonly AgentProcess[]): Promise<string> {
  const endings = await Promise.all(agents.map(async (a) => `${a.agent}: ${await a.stop()}`));
  return endings.join(', ');
}
