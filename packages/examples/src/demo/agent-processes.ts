import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface AgentProcessOptions {
  agent: string;
  /** Absolute path of the built agent module (its default export is the agent). */
  modulePath: string;
  /** packages/cli/bin/mesh.js. */
  meshBin: string;
  brokers: string[];
  registryUrl: string;
  env: NodeJS.ProcessEnv;
  /** Where the process's stdout and stderr go (pino JSON lines). */
  logFile: string;
  /** Bound on start-up until the `ready` line. Default 60 s. */
  readyTimeoutMs?: number;
}

export interface AgentProcess {
  readonly agent: string;
  readonly pid: number | undefined;
  readonly logFile: string;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Resolves with how it ended. */
  stop(graceMs?: number): Promise<string>;
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

/**
 * Runs one agent as its own process with `mesh run`, and resolves once it
 * prints its ready line; rejects (and kills it) if it exits or stays silent
 * past the bound, pointing at its log.
 */
export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  if (!existsSync(options.modulePath)) throw new Error(`agent module ${options.modulePath} does not exist: build packages/examples first (npx tsc -p packages/examples)`);
  if (!existsSync(options.meshBin)) throw new Error(`the mesh command ${options.meshBin} does not exist`);
  const args = [options.meshBin, 'run', options.modulePath, '--brokers', options.brokers.join(','), '--registry', options.registryUrl, '--port', '0'];
  const child = spawn(process.execPath, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
  child.stderr!.pipe(log, { end: false });
  const lines = createInterface({ input: child.stdout! });
  // The log ends when the child's pipes are drained, which can be after its exit event.
  child.once('close', () => log.end());
  const ended = exited(child);
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;

  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      lines.on('line', (line) => {
        log.write(`${line}\n`);
        if (!ready && isReadyLine(line)) {
          ready = true;
          resolve();
        }
      });
      void ended.then((how) => reject(new Error(`agent '${options.agent}' ended before it was ready (${how}); see ${options.logFile}`)));
      timer = setTimeout(() => reject(new Error(`agent '${options.agent}' was not ready within ${readyTimeoutMs} ms; see ${options.logFile}`)), readyTimeoutMs);
    });
  } catch (error) {
    child.kill('SIGKILL');
    await ended;
    throw error;
  } finally {
    clearTimeout(timer);
  }

  let stopping: Promise<string> | undefined;
  return {
    agent: options.agent,
    pid: child.pid,
    logFile: options.logFile,
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
  };
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
