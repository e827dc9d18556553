import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { combineContracts } from './combine';
import { ContractError, defaultSchemasDir, loadContracts, type Contract } from './loader';
import { isMeshContractFile, loadMeshContracts, meshContractsDir, meshTopicMap } from './mesh-contracts';
import { writeMeshContracts } from './pack-step';

describe("the mesh's own contracts", () => {
  let outDir: string;
  beforeEach(() => (outDir = mkdtempSync(join(tmpdir(), 'mesh-contracts-'))));
  afterEach(() => rmSync(outDir, { recursive: true, force: true }));

  test('meshTopicMap keeps the topics whose file is under mesh/', () => {
    expect(meshTopicMap({ 'mesh.heartbeats': 'mesh/agent-heartbeat.avsc', orders: 'shop/order.avsc', 'x.mesh': 'shop/mesh/x.avsc' })).toEqual({
      'mesh.heartbeats': 'mesh/agent-heartbeat.avsc',
    });
    expect(isMeshContractFile('meshy/a.avsc')).toBe(false);
  });

  test('in the repository they come from schemas/ and cover the mesh topics', () => {
    expect(meshContractsDir()).toBe(defaultSchemasDir());
    const topics = loadMeshContracts().map((c) => c.topic);
    expect(topics).toEqual(expect.arrayContaining(['mesh.heartbeats', 'mesh.control', 'saga.replies', 'saga.events', 'saga.stuck']));
    expect(topics).not.toContain('invoices.received');
  });

  test('the pack step copies every file of schemas/mesh and the mesh part of topics.json, loading as the source does', () => {
    const count = writeMeshContracts(defaultSchemasDir(), outDir);
    const source = readdirSync(join(defaultSchemasDir(), 'mesh')).filter((f) => f.endsWith('.avsc'));
    expect(readdirSync(join(outDir, 'mesh')).sort()).toEqual(source.sort());
    const packed = loadMeshContracts(outDir);
    expect(packed).toHaveLength(count);
    const fromRepo = loadMeshContracts(defaultSchemasDir());
    expect(packed.map((c) => [c.topic, c.file, c.canonical])).toEqual(fromRepo.map((c) => [c.topic, c.file, c.canonical]));
    expect(Object.keys(JSON.parse(readFileSync(join(outDir, 'topics.json'), 'utf8')) as object)).toEqual(fromRepo.map((c) => c.topic));
  });

  test('a directory without topics.json is named in one line', () => {
    expect(() => loadMeshContracts(outDir)).toThrow(ContractError);
    expect(() => loadMeshContracts(outDir)).toThrow(`the mesh's own contracts are missing: ${outDir} has no topics.json`);
  });
});

describe('combineContracts', () => {
  const all = loadContracts(defaultSchemasDir());
  const mesh = all.filter((c) => isMeshContractFile(c.file));
  const project = all.filter((c) => !isMeshContractFile(c.file));

  test("puts the mesh's first and drops a project's identical copy of a mesh topic", () => {
    const combined = combineContracts(mesh, all);
    expect(combined.map((c) => c.topic)).toEqual([...mesh, ...project].map((c) => c.topic));
  });

  test('refuses a project that gives a mesh topic another schema, naming its file', () => {
    const heartbeats = mesh.find((c) => c.topic === 'mesh.heartbeats')!;
    const impostor: Contract = { ...project[0]!, topic: 'mesh.heartbeats', subject: 'mesh.heartbeats-value' };
    expect(heartbeats.canonical).not.toBe(impostor.canonical);
    expect(() => combineContracts(mesh, [impostor])).toThrow(
      `${impostor.file}: topic mesh.heartbeats belongs to the mesh's own contracts (${heartbeats.file}); a project cannot give it another schema`,
    );
  });
});
