import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMeshContracts, startSchemaRegistry, type RunningSchemaRegistry } from '@agentmesh/schema-registry';
import { MESH, type FinishedCommand } from '../support/mesh-cli';

// `mesh contracts`, `mesh dev`'s contracts and bad input, as a user's project meets them: the built CLI in its
// own process, in a project directory of its own, against a registry started here.

const MESH_TOPICS = loadMeshContracts().map((c) => c.topic);
const order = (fields: unknown[]) => ({ type: 'record', name: 'Order', namespace: 'test.shop', fields });

let registry: RunningSchemaRegistry;
const dirs: string[] = [];
const children: ChildProcess[] = [];

beforeEach(async () => {
  registry = await startSchemaRegistry({ port: 0 });
});
afterEach(async () => {
  children.splice(0).forEach((child) => child.exitCode === null && child.kill('SIGKILL'));
  await registry.stop();
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** An empty project directory; `files` are written into it (objects as JSON). */
function project(files: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-project-'));
  dirs.push(dir);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

function start(args: string[], cwd: string): { child: ChildProcess; output: () => FinishedCommand } {
  const child = spawn(process.execPath, [MESH, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const seen = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (seen.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (seen.stderr += d.toString()));
  return { child, output: () => ({ code: child.exitCode, ...seen }) };
}

async function mesh(args: string[], cwd: string, timeoutMs = 30_000): Promise<FinishedCommand> {
  const run = start(args, cwd);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(run.child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { ...run.output(), code };
}

/** Resolves once stdout matches; fails when the process exits first or the time is up. */
async function untilStdout(run: ReturnType<typeof start>, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(run.output().stdout);
    if (match) return match;
    if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} on stdout: ${JSON.stringify(run.output())}`);
    await once(run.child.stdout!, 'data').catch(() => undefined);
  }
}

const subjects = async (): Promise<string[]> => (await (await fetch(`${registry.url}/subjects`)).json()) as string[];
const versions = async (subject: string): Promise<number[]> => (await (await fetch(`${registry.url}/subjects/${subject}/versions`)).json()) as number[];

describe('mesh contracts register', () => {
  it("registers the mesh's contracts and ./schemas, and a second run changes nothing", async () => {
    const cwd = project({ 'schemas/topics.json': { orders: 'shop/order.avsc' }, 'schemas/shop/order.avsc': order([{ name: 'id', type: 'string' }]) });
    const first = await mesh(['contracts', 'register', '--registry', registry.url], cwd);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`${MESH_TOPICS.length + 1} contracts registered at ${registry.url}`);
    expect(await subjects()).toEqual(expect.arrayContaining(['orders-value', 'mesh.heartbeats-value', 'saga.replies-value', 'saga.events-value']));

    const again = await mesh(['contracts', 'register', 'schemas', '--registry', registry.url], cwd);
    expect(again).toMatchObject({ code: 0, stdout: first.stdout });
    expect(await versions('orders-value')).toEqual([1]);
    expect(await versions('mesh.heartbeats-value')).toEqual([1]);
  });

  it('refuses an incompatible change in one line naming the subject and the field', async () => {
    const cwd = project({ 'schemas/topics.json': { orders: 'shop/order.avsc' }, 'schemas/shop/order.avsc': order([{ name: 'id', type: 'string' }]) });
    expect((await mesh(['contracts', 'register', '--registry', registry.url], cwd)).code).toBe(0);
    writeFileSync(
      join(cwd, 'schemas/shop/order.avsc'),
      JSON.stringify(
        order([
          { name: 'id', type: 'string' },
          { name: 'total', type: 'long' },
        ]),
      ),
    );
    const refused = await mesh(['contracts', 'register', '--registry', registry.url], cwd);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^mesh: schemas\/shop\/order\.avsc: incompatible change to orders-value \(BACKWARD\): .*"total" has no default[^\n]*\n$/);
    expect(await versions('orders-value')).toEqual([1]);
  });

  it("without ./schemas registers the mesh's own and says so in one line", async () => {
    const run = await mesh(['contracts', 'register', '--registry', registry.url], project());
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^no \.\/schemas here: starting with the mesh's own contracts only[^\n]*\n$/);
    expect((await subjects()).sort()).toEqual(MESH_TOPICS.map((t) => `${t}-value`).sort());
  });

  it('says in one line when the registry cannot be reached', async () => {
    const run = await mesh(['contracts', 'register', '--registry', 'http://127.0.0.1:1'], project());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^no \.\/schemas here[^\n]*\nmesh: mesh\/[\w-]+\.avsc: cannot reach the schema registry at http:\/\/127\.0\.0\.1:1: [^\n]*\n$/);
  });
});

describe('bad contracts and modules: one line naming the file', () => {
  it.each([
    [
      'a file that is not valid Avro',
      { 'schemas/topics.json': { orders: 'shop/order.avsc' }, 'schemas/shop/order.avsc': order([{ name: 'id', type: 'strin' }]) },
      /^mesh: schemas\/shop\/order\.avsc: Invalid schema: [^\n]*strin[^\n]*\n$/,
    ],
    ['a file that is not JSON', { 'schemas/topics.json': { orders: 'shop/order.avsc' }, 'schemas/shop/order.avsc': '{ "type": "record",' }, /^mesh: schemas\/shop\/order\.avsc: [^\n]+\n$/],
    ['a topic map naming a missing file', { 'schemas/topics.json': { orders: 'shop/gone.avsc' } }, /^mesh: schemas\/shop\/gone\.avsc is listed in topics\.json but does not exist\n$/],
    ['a schemas directory without its topic map', { 'schemas/shop/order.avsc': order([]) }, /^mesh: \S+\/schemas\/topics\.json is missing: it maps each topic to its \.avsc file\n$/],
    [
      'a project redefining a mesh topic',
      { 'schemas/topics.json': { 'mesh.heartbeats': 'shop/order.avsc' }, 'schemas/shop/order.avsc': order([]) },
      /^mesh: schemas\/shop\/order\.avsc: topic mesh\.heartbeats belongs to the mesh's own contracts[^\n]*\n$/,
    ],
  ])('%s', async (_what, files, stderr) => {
    const cwd = project(files);
    const register = await mesh(['contracts', 'register', '--registry', registry.url], cwd);
    expect(register).toMatchObject({ code: 1, stdout: '' });
    expect(register.stderr).toMatch(stderr);
    expect(await subjects()).toEqual([]);
    // mesh dev reads the contracts before it starts anything.
    const dev = await mesh(['dev', '--broker-port', '0', '--registry-port', '0', '--no-console'], cwd);
    expect(dev).toMatchObject({ code: 1, stdout: '' });
    expect(dev.stderr).toMatch(stderr);
  });

  it.each([
    ['module.exports = { default: 42 };', 'does not export an agent'],
    ["module.exports = { name: 'half', consumes: ['x'] };", 'does not export an agent'],
    ["throw new Error('broken at load');", 'broken at load'],
  ])('mesh run of a module that is not an agent (%s)', async (source, reason) => {
    const cwd = project({ 'agent.js': source });
    const run = await mesh(['run', join(cwd, 'agent.js'), '--brokers', '127.0.0.1:1', '--json'], cwd);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(new RegExp(`^mesh: [^\\n]*${join(cwd, 'agent.js').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}[^\\n]*${reason}[^\\n]*\\n$`));
  });
});

describe('mesh contracts types', () => {
  it("writes the types of the project's and the mesh's contracts", async () => {
    const cwd = project({ 'contracts/topics.json': { orders: 'shop/order.avsc' }, 'contracts/shop/order.avsc': order([{ name: 'id', type: 'string' }]) });
    const run = await mesh(['contracts', 'types', 'contracts', '--out', 'contracts.ts'], cwd);
    expect(run).toMatchObject({ code: 0, stdout: '', stderr: 'types written to contracts.ts\n' });
    const text = readFileSync(join(cwd, 'contracts.ts'), 'utf8');
    expect(text).toMatch(/^\/\/ Generated by `mesh contracts types` from contracts\/ and the mesh's own contracts/);
    expect(text).toContain('export interface Order {\n  id: string;\n}');
    expect(text).toContain('export interface AgentHeartbeat {');
    expect(text).toContain("  'orders': Order;\n");
  });
});

describe('mesh dev', () => {
  it("takes ./schemas of the working directory, and the mesh's own contracts always", async () => {
    const cwd = project({ 'schemas/topics.json': { orders: 'shop/order.avsc' }, 'schemas/shop/order.avsc': order([{ name: 'id', type: 'string' }]) });
    const run = start(['dev', '--broker-port', '0', '--registry-port', '0', '--no-console'], cwd);
    const url = (await untilStdout(run, /schema registry listening on (http:\/\/\S+)/))[1]!;
    await untilStdout(run, /registered \d+ contracts/);
    const registered = (await (await fetch(`${url}/subjects`)).json()) as string[];
    expect(registered.sort()).toEqual([...MESH_TOPICS, 'orders'].map((t) => `${t}-value`).sort());
    expect(run.output().stdout).not.toContain('no ./schemas here');
    run.child.kill('SIGINT');
    expect(await once(run.child, 'exit')).toEqual([0, null]);
  });

  it("without ./schemas starts with the mesh's own contracts, saying so in one line", async () => {
    const run = start(['dev', '--broker-port', '0', '--registry-port', '0', '--no-console'], project());
    const url = (await untilStdout(run, /schema registry listening on (http:\/\/\S+)/))[1]!;
    await untilStdout(run, /registered \d+ contracts/);
    expect(run.output().stdout).toMatch(/\nno \.\/schemas here: starting with the mesh's own contracts only[^\n]*\nregistered /);
    const registered = (await (await fetch(`${url}/subjects`)).json()) as string[];
    expect(registered.sort()).toEqual(MESH_TOPICS.map((t) => `${t}-value`).sort());
    run.child.kill('SIGINT');
    expect(await once(run.child, 'exit')).toEqual([0, null]);
  });
});
