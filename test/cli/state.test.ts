import Redis from 'ioredis';
import { defineAgent, type AgentEvent } from '@agentmesh/runtime';
import { runMesh, type FinishedCommand } from '../support/mesh-cli';
import { json, runtimeHarness, valueOf, type RuntimeHarness, type Watcher } from '../runtime/support';
import { uniqueName } from '../support/kafka';
import { TEST_REDIS_URL } from '../support/redis';

// Versioned agent state end to end: an agent keeps a tally through ctx.state (in the real Redis, by
// the worker's default: its idempotency store is Redis), a version is corrupted in Redis behind its
// back, and `mesh state` (the built CLI, its own process) shows the fall-back, marks the corrupt
// version, and restores an older one, which the agent's next load then sees.

const REDIS_URL = TEST_REDIS_URL;

async function mesh(args: string[]): Promise<FinishedCommand> {
  return runMesh(args, { REDIS_URL }, 30_000);
}

interface Tally {
  total: number;
  seen: number[];
}

interface Reported {
  n: number;
  loaded: { version: number; state: Tally; skipped: unknown[] } | null;
  saved: number;
}

let h: RuntimeHarness;
let watcher: Watcher;
const raw = new Redis(REDIS_URL);
const id = uniqueName('state');
const agent = `tally-${id}`;
const input = `numbers-${id}`;
const output = `tallied-${id}`;
const stateKey = `mesh:state:{${agent}}:tally`;

async function publish(...numbers: number[]): Promise<void> {
  const producer = h.kafka.producer();
  await producer.connect();
  // One key: the agent handles them one at a time, in order.
  await producer.send({ topic: input, messages: numbers.map((n) => ({ key: 'tally', value: json({ n }) })) });
  await producer.disconnect();
}

async function reports(count: number): Promise<Reported[]> {
  const seen = await watcher.until((s) => s.filter((x) => x.topic === output).length >= count, `${count} tallies`);
  return seen.filter((x) => x.topic === output).map((x) => valueOf<Reported>(x));
}

beforeAll(async () => {
  h = await runtimeHarness();
  await h.start(
    defineAgent<{ n: number }>({
      name: agent,
      consumes: [input],
      produces: [output],
      handle: async (e: AgentEvent<{ n: number }>, ctx) => {
        const before = await ctx.state.read<Tally>('tally');
        const tally = before?.state ?? { total: 0, seen: [] };
        const saved = await ctx.state.save('tally', { total: tally.total + e.value.n, seen: [...tally.seen, e.value.n] });
        return [{ topic: output, key: e.key, value: { n: e.value.n, loaded: before ? { version: before.version, state: before.state, skipped: before.skipped } : null, saved } }];
      },
    }),
  );
  watcher = await h.watch([output]);
  await publish(1, 2, 3);
  expect((await reports(3)).map((r) => [r.n, r.loaded?.version ?? null, r.saved])).toEqual([
    [1, null, 1],
    [2, 1, 2],
    [3, 2, 3],
  ]);
  // The newest version's state changed behind the store's back, its hash not.
  const record = JSON.parse((await raw.hget(stateKey, 'v:3'))!) as { state: string };
  record.state = JSON.stringify({ total: 1_000_000, seen: [] });
  await raw.hset(stateKey, 'v:3', JSON.stringify(record));
}, 60_000);

afterAll(async () => {
  await h?.close();
  await raw.del(stateKey);
  raw.disconnect();
});

describe('mesh state', () => {
  it('show falls back to the newest intact version and says so', async () => {
    const shown = await mesh(['state', 'show', agent, 'tally', '--json']);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual({
      agent,
      key: 'tally',
      version: 2,
      savedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      fellBackPast: [{ version: 3, reason: 'hash-mismatch' }],
      state: { total: 3, seen: [1, 2] },
    });
    expect(shown.stderr).toBe("note: state 'tally' fell back to version 2: newer version 3 (hash-mismatch) failed the integrity check\n");

    const text = await mesh(['state', 'show', agent, 'tally']);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(new RegExp(`^state 'tally' of agent '${agent}': version 2, saved at .*\nstate 'tally' fell back to version 2: newer version 3 \\(hash-mismatch\\)`));

    const older = await mesh(['state', 'show', agent, 'tally', '--version', '1', '--json']);
    expect(older).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(older.stdout)).toMatchObject({ version: 1, fellBackPast: [], state: { total: 1, seen: [1] } });
  });

  it('ls marks the corrupt version, and lists the key', async () => {
    const listed = await mesh(['state', 'ls', agent, 'tally']);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    const [header, ...rows] = listed.stdout.trimEnd().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['VERSION', 'SAVED AT', 'SIZE', 'SHA-256', 'INTEGRITY', 'NOTE']);
    expect(rows.map((r) => [r.split(/\s+/)[0], /CORRUPT \(hash-mismatch\)|OK/.exec(r)?.[0]])).toEqual([
      ['3', 'CORRUPT (hash-mismatch)'],
      ['2', 'OK'],
      ['1', 'OK'],
    ]);

    const versions = await mesh(['state', 'ls', agent, 'tally', '--json']);
    expect(versions.code).toBe(0);
    expect(
      versions.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { version: number; intact: boolean }),
    ).toMatchObject([
      { version: 3, intact: false, problem: 'hash-mismatch' },
      { version: 2, intact: true, bytes: Buffer.byteLength('{"total":3,"seen":[1,2]}') },
      { version: 1, intact: true },
    ]);

    const keys = await mesh(['state', 'ls', agent, '--json']);
    expect(keys).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(keys.stdout)).toMatchObject({ agent, key: 'tally', versions: 3, newest: 3, corrupt: [3] });
  });

  it('refuses bad input in one line with a non-zero exit', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['state', 'restore', agent, 'tally', '3'], /^mesh: version 3 of state 'tally' of agent '.*' is corrupt \(hash-mismatch\); nothing restored\n$/],
      [['state', 'restore', agent, 'tally', 'latest'], /^mesh: version 'latest' is not a whole number from 1\n$/],
      [['state', 'restore', agent, 'tally', '42'], /^mesh: state 'tally' of agent '.*' has no version 42 \(kept: 1-3\); nothing restored\n$/],
      [['state', 'show', agent, 'tally', '--version', '3'], /^mesh: version 3 of state 'tally' of agent '.*' is corrupt \(hash-mismatch\)\n$/],
      [['state', 'show', agent, 'nope'], /^mesh: agent '.*' has no state 'nope' \(its keys: tally\)\n$/],
      [['state', 'ls', `${agent}-unknown`], /^mesh: no state saved by agent '.*-unknown' in redis:\/\/.*\n$/],
      [['state', 'ls', 'not an agent'], /^mesh: 'not an agent' is not an agent name/],
    ];
    for (const [args, error] of cases) {
      const result = await mesh(args);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 1, stdout: '' });
      expect(result.stderr).toMatch(error);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    // Nothing was written by the refusals.
    expect(await raw.hget(stateKey, 'seq')).toBe('3');
  });

  it('restore makes an older version the newest, and the agent’s next load sees it', async () => {
    const restored = await mesh(['state', 'restore', agent, 'tally', '1']);
    expect(restored).toEqual({ code: 0, stdout: `restored version 1 of state 'tally' of agent '${agent}' as version 4\n`, stderr: '' });

    const shown = await mesh(['state', 'show', agent, 'tally', '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ version: 4, fellBackPast: [], state: { total: 1, seen: [1] } });
    const listed = await mesh(['state', 'ls', agent, 'tally']);
    expect(listed.stdout.split('\n')[1]).toMatch(/^4 .* OK +restored from 1$/);

    await publish(10);
    const next = (await reports(4))[3]!;
    expect(next).toEqual({ n: 10, loaded: { version: 4, state: { total: 1, seen: [1] }, skipped: [] }, saved: 5 });
    const after = await mesh(['state', 'show', agent, 'tally', '--json']);
    expect(JSON.parse(after.stdout)).toMatchObject({ version: 5, state: { total: 11, seen: [1, 10] } });
  });
});
