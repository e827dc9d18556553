import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { explain, manifest, packPublished, published, rootManifest, ROOT, run, type Packed } from '../support/packed';

// The mesh as a dependency, the way a new user meets it: every published package packed with `npm pack`, the
// tarballs installed into an empty project outside this repository, and that project's own tests run there
// (test/pack/project: an agent, its contracts in ./schemas, a node:test suite driving `mesh dev`, `mesh run`,
// `mesh publish` and `mesh tail`, and a TypeScript file checked against the packages' declarations).

const FIXTURE = join(ROOT, 'test/pack/project');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

let work: string;
let packed: Packed[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mesh-pack-'));
  packed = await packPublished(work);
}, 90_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the published packages', () => {
  it('are every workspace but the private examples', () => {
    expect(published).toEqual(expect.arrayContaining(['packages/broker', 'packages/schema-registry', 'packages/runtime', 'packages/coordinator', 'packages/cli']));
    expect(published).not.toContain('packages/examples');
    expect(packed.map((p) => p.name).sort()).toEqual(published.map((w) => manifest(join(ROOT, w)).name).sort());
  });

  it.each(published)('%s has an exports map with types, the engines of the project, and a README', (workspace) => {
    const own = manifest(join(ROOT, workspace));
    expect(own.engines).toEqual(rootManifest.engines);
    expect(own.exports?.['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    const files = packed.find((p) => p.name === own.name)!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']));
    expect(files.filter((f) => f.endsWith('.test.js'))).toEqual([]);
  });

  it("carry the mesh's own contracts: every file of schemas/mesh, in @agentmesh/schema-registry, and leave no copy behind", () => {
    const files = packed.find((p) => p.name === '@agentmesh/schema-registry')!.files.map((f) => f.path);
    const meshFiles = readdirSync(join(ROOT, 'schemas/mesh')).filter((f) => f.endsWith('.avsc'));
    expect(files).toEqual(expect.arrayContaining(['mesh-contracts/topics.json', ...meshFiles.map((f) => `mesh-contracts/mesh/${f}`)]));
    expect(existsSync(join(ROOT, 'packages/schema-registry/mesh-contracts'))).toBe(false);
  });
});

describe('an empty project outside the repository', () => {
  it('installs the tarballs, type-checks against them and passes its own tests', async () => {
    const project = join(work, 'project');
    expect(relative(ROOT, project).startsWith('..')).toBe(true);
    mkdirSync(project);
    cpSync(FIXTURE, project, { recursive: true });
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'mesh-user-project', version: '1.0.0', private: true, scripts: { test: 'node --test' } }, null, 2)}\n`);

    const tarballs = packed.map((p) => join(work, p.filename));
    const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], project, 120_000);
    expect(install.code === 0 ? '' : explain('npm install', install)).toBe('');

    const typecheck = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], project, 60_000);
    expect(typecheck.code === 0 ? '' : explain('tsc', typecheck)).toBe('');

    const tests = await run('npm', ['test'], project, 120_000);
    expect(tests.code === 0 ? '' : explain("the project's npm test", tests)).toBe('');
    expect(tests.stdout).toMatch(/# pass 2\n/);
    expect(tests.stdout).toMatch(/# fail 0\n/);
  }, 300_000);
});
