import { spawn } from 'node:child_process';
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
