import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import pino from 'pino';
import { AgentStateCorruptError, AgentStateValueError, AgentStateVersionError, InvalidStateKeyError } from './errors';
import { MemoryAgentStateStore } from './memory-store';
import { encodeStateRecord, newStateVersion, type StateRecord } from './record';
import { RedisAgentStateStore } from './redis-store';
import type { AgentStateStore } from './store';

// The same behaviour from both stores: the memory one is what a run without Redis gets.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

function capture() {
  const lines: Array<Record<string, unknown> & { level: number; msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) });
  return { lines, logger };
}

interface Subject {
  store: AgentStateStore;
  /** Rewrites a version's stored text. */
  writeRaw(agent: string, key: string, version: number, text: string): Promise<void>;
  readRaw(agent: string, key: string, version: number): Promise<string | undefined>;
  close(): Promise<void>;
}

let clock = T0;
const now = () => (clock += 1000);
const logs = capture();
const raw = new Redis(REDIS_URL, { lazyConnect: true });
const used: string[] = [];

const subjects: Array<[string, (keepVersions?: number) => Subject]> = [
  [
    'memory',
    (keepVersions) => {
      const store = new MemoryAgentStateStore(logs.logger, { now, ...(keepVersions ? { keepVersions } : {}) });
      return {
        store,
        writeRaw: async (agent, key, version, text) => void store.storage.records(agent, key)!.set(version, text),
        readRaw: async (agent, key, version) => store.storage.records(agent, key)?.get(version),
        close: () => store.close(),
      };
    },
  ],
  [
    'redis',
    (keepVersions) => {
      const store = RedisAgentStateStore.connect(REDIS_URL, logs.logger, { now, ...(keepVersions ? { keepVersions } : {}) });
      return {
        store,
        writeRaw: async (agent, key, version, text) => void (await raw.hset(store.keyOf(agent, key), `v:${version}`, text)),
        readRaw: async (agent, key, version) => (await raw.hget(store.keyOf(agent, key), `v:${version}`)) ?? undefined,
        close: () => store.close(),
      };
    },
  ],
];

beforeAll(() => raw.connect());
afterAll(async () => {
  for (const agent of used) {
    const keys = await raw.keys(`mesh:state:{${agent}}:*`);
    if (keys.length > 0) await raw.del(...keys);
  }
  raw.disconnect();
});

function agentName(): string {
  const name = `state-test-${randomBytes(4).toString('hex')}`;
  used.push(name);
  return name;
}

/** The version's record with its state changed and its hash not. */
async function corrupt(subject: Subject, agent: string, key: string, version: number): Promise<void> {
  const record = JSON.parse((await subject.readRaw(agent, key, version))!) as StateRecord;
  record.state = JSON.stringify({ tampered: true });
  await subject.writeRaw(agent, key, version, JSON.stringify(record));
}

describe.each(subjects)('%s agent state store', (_name, make) => {
  let subject: Subject;
  let store: AgentStateStore;
  let agent: string;
  beforeEach(() => {
    subject = make();
    store = subject.store;
    agent = agentName();
    logs.lines.length = 0;
  });
  afterEach(() => subject.close());

  it('numbers saves per key and loads the newest, with its time', async () => {
    expect(await store.load(agent, 'tally')).toBeUndefined();
    const first = await store.save(agent, 'tally', { total: 1 });
    expect(first).toMatchObject({ version: 1, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown });
    expect((await store.save(agent, 'tally', { total: 3 })).version).toBe(2);
    expect((await store.save(agent, 'other', 'x')).version).toBe(1);
    const loaded = await store.load(agent, 'tally');
    expect(loaded).toEqual({ state: { total: 3 }, version: 2, savedAt: first.savedAt + 1000, skipped: [] });
    expect(await store.load(agent, 'tally', { version: 1 })).toEqual({ state: { total: 1 }, version: 1, savedAt: first.savedAt, skipped: [] });
    expect(await store.keys(agent)).toEqual(['other', 'tally']);
    expect(await store.keys(agentName())).toEqual([]);
  });

  it('writes the record encodeStateRecord describes', async () => {
    const saved = await store.save(agent, 'k', { a: [1, 'two', null] });
    expect(await subject.readRaw(agent, 'k', 1)).toBe(encodeStateRecord(1, newStateVersion('{"a":[1,"two",null]}', saved.savedAt)));
  });

  it('keeps the last 10 versions by default, and as many as told', async () => {
    for (let i = 1; i <= 12; i++) await store.save(agent, 'k', i);
    expect((await store.versions(agent, 'k')).map((v) => v.version)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    await expect(store.load(agent, 'k', { version: 2 })).rejects.toMatchObject({ name: 'AgentStateVersionError', problem: 'missing' });

    const few = make(3);
    try {
      for (let i = 1; i <= 5; i++) await few.store.save(agent, 'few', i);
      expect((await few.store.versions(agent, 'few')).map((v) => v.version)).toEqual([5, 4, 3]);
    } finally {
      await few.close();
    }
  });

  it('falls back past a corrupt newest version, reports it, and lists it as corrupt', async () => {
    for (let n = 1; n <= 3; n++) await store.save(agent, 'tally', { n });
    await corrupt(subject, agent, 'tally', 3);

    const loaded = await store.load(agent, 'tally');
    expect(loaded).toMatchObject({ state: { n: 2 }, version: 2, skipped: [{ version: 3, reason: 'hash-mismatch' }] });
    expect(logs.lines.find((l) => l.level === 40)).toMatchObject({ agent, stateKey: 'tally', loadedVersion: 2, skipped: [{ version: 3, reason: 'hash-mismatch' }] });

    const versions = await store.versions(agent, 'tally');
    expect(versions.map((v) => [v.version, v.intact, v.problem])).toEqual([
      [3, false, 'hash-mismatch'],
      [2, true, undefined],
      [1, true, undefined],
    ]);
    const error = await store.load(agent, 'tally', { version: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentStateVersionError);
    expect(error).toMatchObject({ version: 3, problem: 'hash-mismatch' });
  });

  it('restores a copy of an older version as the newest, keeping the history', async () => {
    for (let n = 1; n <= 3; n++) await store.save(agent, 'tally', { n });
    await corrupt(subject, agent, 'tally', 3);
    const restored = await store.restore(agent, 'tally', 1);
    expect(restored).toMatchObject({ version: 4, restoredFrom: 1 });
    expect(await store.load(agent, 'tally')).toMatchObject({ state: { n: 1 }, version: 4, skipped: [] });
    const versions = await store.versions(agent, 'tally');
    expect(versions.map((v) => v.version)).toEqual([4, 3, 2, 1]);
    expect(versions[0]).toMatchObject({ restoredFrom: 1, sha256: versions[3]!.sha256, intact: true });

    await expect(store.restore(agent, 'tally', 3)).rejects.toMatchObject({ name: 'AgentStateVersionError', problem: 'hash-mismatch' });
    await expect(store.restore(agent, 'tally', 9)).rejects.toMatchObject({ name: 'AgentStateVersionError', problem: 'missing' });
    expect((await store.versions(agent, 'tally')).length).toBe(4);
  });

  it('refuses to pretend when no kept version is intact', async () => {
    await store.save(agent, 'k', 'only');
    await subject.writeRaw(agent, 'k', 1, 'not a record');
    const error = await store.load(agent, 'k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentStateCorruptError);
    expect(error).toMatchObject({ skipped: [{ version: 1, reason: 'unreadable' }] });
  });

  it('refuses bad keys and values permanently', async () => {
    await expect(store.save(agent, '', 1)).rejects.toBeInstanceOf(InvalidStateKeyError);
    await expect(store.save(agent, 'k', { f: 1n })).rejects.toBeInstanceOf(AgentStateValueError);
    await expect(store.load(agent, 'k', { version: 0 })).rejects.toMatchObject({ problem: 'missing' });
    expect(await store.versions(agent, 'never')).toEqual([]);
  });

  it('lists keys with colons and pattern characters as they are, and no other agent’s', async () => {
    await store.save(agent, 'user:1*[x]', 1);
    await store.save(agent, 'user:2', 2);
    await store.save(`${agent}-b`, 'user:3', 3);
    used.push(`${agent}-b`);
    expect(await store.keys(agent)).toEqual(['user:1*[x]', 'user:2']);
  });
});
