import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MESH, runMesh, type FinishedCommand } from '../support/mesh-cli';

// `mesh init` (and `npm create agentmesh`, its bin): the files it writes and the one-line refusals. The scaffolded
// project installed and run is test/repo/first-agent.test.ts.

const CREATE_AGENTMESH = resolve(__dirname, '../../packages/create-agentmesh/bin/create-agentmesh.js');

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'mesh-init-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under `root`, relative, sorted. */
const filesUnder = (root: string, prefix = ''): string[] =>
  readdirSync(join(root, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(root, join(prefix, e.name)) : [join(prefix, e.name)]))
    .sort();

async function meshIn(cwd: string, args: string[], bin = MESH): Promise<FinishedCommand> {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, ...out };
}

describe('mesh init', () => {
  it('writes a project: an agent, its contracts and their types, a test, npm scripts, a README', async () => {
    const run = await meshIn(dir, ['init', 'Shop Mesh']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^created shop-mesh in Shop Mesh: 10 files .*\nnext:\n {2}cd Shop Mesh\n {2}npm install\n/);
    const project = join(dir, 'Shop Mesh');
    expect(filesUnder(project)).toEqual(
      [
        '.gitignore',
        'README.md',
        'package.json',
        'schemas/greetings/greeting-requested.avsc',
        'schemas/greetings/greeting-sent.avsc',
        'schemas/topics.json',
        'src/agents/greeter.ts',
        'src/contracts.ts',
        'test/greeter.test.ts',
        'tsconfig.json',
      ].sort(),
    );
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { name: string; scripts: Record<string, string>; dependencies: Record<string, string> };
    expect(manifest.name).toBe('shop-mesh');
    expect(manifest.scripts).toMatchObject({ dev: 'mesh dev', start: 'mesh run src/agents/greeter.ts', test: 'node --import tsx --test test/*.test.ts' });
    expect(manifest.dependencies['@agentmesh/runtime']).toMatch(/^\^\d+\.\d+\.\d+/);
    expect(readFileSync(join(project, 'schemas/greetings/greeting-sent.avsc'), 'utf8')).toContain('"namespace": "shop_mesh"');
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toMatch(/^# shop-mesh\n/);

    // The types are what `mesh contracts types` (the project's `npm run types`) writes there.
    const generated = readFileSync(join(project, 'src/contracts.ts'), 'utf8');
    expect(generated).toContain('export interface GreetingRequested {');
    const types = await meshIn(project, ['contracts', 'types', '--out', 'again.ts']);
    expect(types.code).toBe(0);
    expect(readFileSync(join(project, 'again.ts'), 'utf8')).toBe(generated);
  });

  it('is what `npm create agentmesh` runs: ./my-mesh without a directory, the same one-line refusals', async () => {
    const cwd = join(dir, 'create');
    mkdirSync(cwd);
    const created = await meshIn(cwd, [], CREATE_AGENTMESH);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^created my-mesh in my-mesh: 10 files/);
    expect(filesUnder(join(cwd, 'my-mesh'))).toContain(join('src', 'agents', 'greeter.ts'));
    const again = await meshIn(cwd, [], CREATE_AGENTMESH);
    expect(again).toEqual({ code: 1, stdout: '', stderr: `create-agentmesh: ${join(cwd, 'my-mesh')} is not empty: give a new or empty directory (mesh init never overwrites)\n` });
  });

  it('refuses a directory with something in it, and writes nothing there', async () => {
    const taken = join(dir, 'taken');
    mkdirSync(taken);
    writeFileSync(join(taken, 'notes.txt'), 'mine');
    const run = await runMesh(['init', taken]);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `mesh: ${taken} is not empty: give a new or empty directory (mesh init never overwrites)\n` });
    expect(readdirSync(taken)).toEqual(['notes.txt']);
  });

  it('refuses a name npm would not take, and tarballs that are not there', async () => {
    const badName = await runMesh(['init', join(dir, 'a'), '--name', 'Not OK']);
    expect(badName).toEqual({ code: 1, stdout: '', stderr: "mesh: 'Not OK' cannot be an npm package name (lower-case letters, digits, - . _ ~); give one with --name\n" });
    const empty = join(dir, 'no-tarballs');
    mkdirSync(empty);
    const noTarballs = await runMesh(['init', join(dir, 'b'), '--from-tarballs', empty]);
    expect(noTarballs).toEqual({ code: 1, stdout: '', stderr: `mesh: --from-tarballs ${empty}: no agentmesh-*.tgz in it (npm pack -w packages/<name> writes them)\n` });
    const missing = await runMesh(['init', join(dir, 'c'), '--from-tarballs', join(dir, 'nowhere')]);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: `mesh: --from-tarballs ${join(dir, 'nowhere')}: no such directory\n` });
  });
});
