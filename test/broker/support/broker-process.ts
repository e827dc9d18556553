import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The built CLI (`npm run build` at the root produces it). */
export const MESH_CLI = path.resolve(__dirname, '../../../packages/cli/dist/bin/mesh.js');

/** A `mesh broker` running as its own OS process, so a test can kill -9 it. */
export interface BrokerProcess {
  readonly child: ChildProcess;
  readonly host: string;
  readonly port: number;
  readonly address: string;
  /** What the broker wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** SIGKILL, then wait until the process is gone (reaped), so its pid and data-dir lock are free. */
  kill9(): Promise<void>;
}

/** Starts `mesh broker --port 0 --data-dir DIR` and resolves once it prints its address. */
export async function startBrokerProcess(dataDir: string, extraArgs: string[] = [], timeoutMs = 20_000): Promise<BrokerProcess> {
  if (!fs.existsSync(MESH_CLI)) throw new Error(`${MESH_CLI} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [MESH_CLI, 'broker', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit');

  const listening = await new Promise<{ host: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`broker did not report its address within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    function fail(err: Error): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    }
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /broker listening on (\S+):(\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ host: m[1]!, port: Number(m[2]) });
      }
    });
    child.once('exit', (code, signal) => fail(new Error(`broker exited (code ${code}, signal ${signal}) before listening; stderr: ${stderr}`)));
  });

  return {
    child,
    ...listening,
    address: `${listening.host}:${listening.port}`,
    stderr: () => stderr,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
