import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

/** The built `mesh` command (`npm run build` produces what it loads). */
export const MESH = resolve(__dirname, '../../packages/cli/bin/mesh.js');

export interface FinishedCommand {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mesh <args>` to completion; kills it and fails after `timeoutMs`. */
export async function runMesh(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<FinishedCommand> {
  const child = spawn(process.execPath, [MESH, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  if (signal === 'SIGKILL') throw new Error(`mesh ${args.join(' ')} did not exit within ${timeoutMs} ms; stdout: ${stdout} stderr: ${stderr}`);
  return { code, stdout, stderr };
}

export interface CoordinatorProcessOptions {
  /** The module exporting the sagas (`--sagas`). */
  sagas: string;
  brokers: string;
  redisUrl: string;
  keyPrefix: string;
  group: string;
  /** Environment the saga module reads, besides the process's own. */
  env?: NodeJS.ProcessEnv;
  sessionTimeoutMs?: number;
  /** Bound on its ready line. Default 30 s. */
  readyTimeoutMs?: number;
}

export interface CoordinatorProcess {
  child: ChildProcess;
  /** What it printed so far, stdout and stderr together. */
  output(): string;
}

/** A `mesh coordinator` process (JSON values); resolves once it says it is ready, or fails with what it printed. */
export async function startCoordinatorProcess(o: CoordinatorProcessOptions): Promise<CoordinatorProcess> {
  const args = [MESH, 'coordinator', '--sagas', o.sagas, '--json', '--brokers', o.brokers, '--redis', o.redisUrl];
  args.push('--key-prefix', o.keyPrefix, '--session-timeout', String(o.sessionTimeoutMs ?? 3_000), '--group', o.group);
  const child = spawn(process.execPath, args, { env: { ...process.env, LOG_LEVEL: 'warn', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const seen = new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`mesh coordinator was not ready within ${o.readyTimeoutMs ?? 30_000} ms: ${output}`)), o.readyTimeoutMs ?? 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/^coordinator ready/m.test(output)) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`mesh coordinator exited (${signal ?? `code ${code}`}) before it was ready: ${output}`));
    });
  });
  await seen;
  return { child, output: () => output };
}

export interface AgentProcessOptions {
  /** The agent module `mesh run` loads. */
  module: string;
  brokers: string;
  redisUrl: string;
  /** Environment the module reads, besides the process's own. */
  env?: NodeJS.ProcessEnv;
  /** More `mesh run` flags. */
  args?: string[];
  /** Bound on its ready line. Default 60 s. */
  readyTimeoutMs?: number;
}

export interface AgentProcess {
  child: ChildProcess;
  /** What it printed so far, stdout and stderr together. */
  output(): string;
}

/** A `mesh run` process of an agent module (JSON values); resolves once it says it is ready, or fails with what it printed. */
export async function startAgentProcess(o: AgentProcessOptions): Promise<AgentProcess> {
  const args = [MESH, 'run', o.module, '--brokers', o.brokers, '--json', '--redis', o.redisUrl, ...(o.args ?? [])];
  const child = spawn(process.execPath, args, { env: { ...process.env, LOG_LEVEL: 'info', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const timeoutMs = o.readyTimeoutMs ?? 60_000;
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`mesh run was not ready within ${timeoutMs} ms: ${output}`)), timeoutMs);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/^agent \S+ ready/m.test(output)) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`mesh run exited (${signal ?? `code ${code}`}) before it was ready: ${output}`));
    });
  });
  return { child, output: () => output };
}
