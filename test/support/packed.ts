import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The mesh as a user installs it: its published packages packed with `npm pack`, and commands run in a project
// outside this repository (test/repo/pack-install.test.ts, test/repo/first-agent.test.ts).

export const ROOT = resolve(__dirname, '../..');

export interface Manifest {
  name: string;
  version?: string;
  private?: boolean;
  workspaces?: string[];
  engines?: { node?: string };
  exports?: Record<string, unknown>;
}
export interface Packed {
  name: string;
  filename: string;
  files: Array<{ path: string }>;
}
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
export const rootManifest = manifest(ROOT);
/** The workspaces that are published: all but the private ones (the examples). */
export const published = (rootManifest.workspaces ?? []).filter((workspace) => manifest(join(ROOT, workspace)).private !== true);

/** The environment of a command run as a user would: without the npm_* settings of the `npm test` that runs the suite. */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_'))), ...extra };
}

/** A command started in `cwd`, its output collected as it comes. */
export interface Started {
  child: ChildProcess;
  out: { stdout: string; stderr: string };
}

export function start(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = userEnv()): Started {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  return { child, out };
}

/** Runs a command to its end within `timeoutMs` (killed after it). */
export async function run(command: string, args: string[], cwd: string, timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<Finished> {
  const started = start(command, args, cwd, env);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(started.child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, ...started.out };
}

export const explain = (what: string, result: Finished): string => `${what} exited ${result.code}\n${result.stdout.slice(-4_000)}\n${result.stderr.slice(-4_000)}`;

/** Packs every published workspace into `dest` (`npm pack --json`); returns what npm says it packed. */
export async function packPublished(dest: string): Promise<Packed[]> {
  const packing = await run('npm', ['pack', ...published.flatMap((w) => ['-w', w]), '--pack-destination', dest, '--json'], ROOT, 60_000);
  if (packing.code !== 0) throw new Error(explain('npm pack', packing));
  return JSON.parse(packing.stdout.slice(packing.stdout.indexOf('['))) as Packed[];
}
