import { runMesh, type FinishedCommand } from '../support/mesh-cli';
import { defineAgent, Header, PermanentError, retryTopic, type AgentEvent, type RunningWorker } from '@agentmesh/runtime';
import { json, runtimeHarness, valueOf, type RuntimeHarness } from '../runtime/support';
import { uniqueName } from '../support/kafka';
import { TEST_REDIS_URL } from '../support/redis';

// `mesh dlq` as an operator runs it: the built CLI in its own process, against a worker
// running here (embedded broker, the real Redis) whose handler dead-letters some events.

async function mesh(args: string[], timeoutMs = 45_000): Promise<FinishedCommand> {
  return runMesh(args, { REDIS_URL: TEST_REDIS_URL }, timeoutMs);
}

interface Order {
  n: number;
  bad?: boolean;
}

let h: RuntimeHarness;
let worker: RunningWorker;
const id = uniqueName('dlq');
const agent = `billing-${id}`;
const input = `orders-${id}`;
const output = `billed-${id}`;
/** Flipped by the test: while true, "bad" orders fail permanently. */
let rejectBad = true;
/** Successful handler calls per order number. */
const processed = new Map<number, number>();
const at = () => ['--brokers', h.broker.address];

beforeAll(async () => {
  h = await runtimeHarness();
  worker = await h.start(
    defineAgent<Order>({
      name: agent,
      consumes: [input],
      produces: [output],
      retry: { delaysMs: [100], maxAttempts: 2, jitter: 0 },
      handle: async (e: AgentEvent<Order>) => {
        if (e.value.bad && rejectBad) throw new PermanentError(`order ${e.value.n} has no customer`);
        processed.set(e.value.n, (processed.get(e.value.n) ?? 0) + 1);
        return [{ topic: output, key: e.key, value: { n: e.value.n } }];
      },
    }),
  );
  const producer = h.kafka.producer();
  await producer.connect();
  // Orders 0-4 carry an event id, as `mesh publish` gives them; order 5 has none, so the worker derives one.
  await producer.send({
    topic: input,
    messages: Array.from({ length: 6 }, (_, n) => ({ key: `order-${n}`, value: json({ n, bad: n % 2 === 1 }), headers: n < 5 ? { [Header.eventId]: `${id}-event-${n}` } : {} })),
  });
  await producer.disconnect();
  const watcher = await h.watch([output, `${agent}.dlq`]);
  await watcher.until((s) => s.filter((x) => x.topic === output).length === 3 && s.filter((x) => x.topic === `${agent}.dlq`).length === 3, '3 outputs and 3 dead letters');
  await watcher.stop();
}, 60_000);

afterAll(() => h?.close());

/** The replay cursor as Kafka holds it: the replay group's committed offset per partition (-1 = none). */
async function cursorOffsets(): Promise<string[]> {
  const admin = h.kafka.admin();
  await admin.connect();
  try {
    const [fetched] = await admin.fetchOffsets({ groupId: `mesh-dlq-replay.${agent}`, topics: [`${agent}.dlq`] });
    return (fetched?.partitions ?? []).map((p) => p.offset).sort();
  } finally {
    await admin.disconnect();
  }
}

/** Records behind the replay cursor, over all partitions (the DLQ starts at offset 0 on a fresh broker). */
async function cursorTotal(): Promise<number> {
  return (await cursorOffsets()).reduce((n, o) => n + Math.max(0, Number(o)), 0);
}

/** `mesh dlq ls <agent> --json`'s counts by state, once they equal `expected` (the agent's writes land shortly after its outputs). */
async function statesBecome(expected: Record<string, number>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await mesh(['dlq', 'ls', agent, '--json', ...at()]);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    const { byState } = JSON.parse(listed.stdout) as { byState: Record<string, number> | null };
    if (JSON.stringify(byState) === JSON.stringify(expected) || Date.now() > deadline) return expect(byState).toEqual(expected);
  }
}

/** The counts a replay or dry-run summary line gives: replayed (or would replay), read, and each kind of skip. */
function countsOf(summary: string): { replayed: number; read: number; skips: string[] } {
  const [, replayed, read] = /(?:replayed|would replay) (\d+) of (\d+) dead letters/.exec(summary)!;
  const skips = /; (?:skipped|would skip) ([^;\n]*)/.exec(summary)?.[1]?.split(', ') ?? [];
  return { replayed: Number(replayed), read: Number(read), skips };
}

async function retryRecordCount(): Promise<number> {
  const admin = h.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(retryTopic(agent, 0));
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('mesh dlq', () => {
  it('ls counts dead letters per agent, by state and by error kind', async () => {
    const all = await mesh(['dlq', 'ls', ...at()]);
    expect(all).toMatchObject({ code: 0, stderr: '' });
    const [header, ...rows] = all.stdout.trimEnd().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['AGENT', 'DEAD LETTERS', 'OPEN', 'REPLAYED', 'RESOLVED', 'TRANSIENT', 'PERMANENT', 'TIMEOUT', 'INVALID-INPUT', 'INVALID-OUTPUT', 'NEWEST']);
    const row = rows.find((r) => r.startsWith(`${agent} `))!;
    expect(row.split(/\s+/).slice(0, 9)).toEqual([agent, '3', '3', '0', '0', '0', '3', '0', '0']);

    const one = await mesh(['dlq', 'ls', agent, '--json', ...at()]);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ agent, topic: `${agent}.dlq`, total: 3, byState: { open: 3, replayed: 0, resolved: 0 }, byKind: { permanent: 3 } });
  });

  it('show --json prints the failure story and the decoded value of the newest dead letters', async () => {
    const shown = await mesh(['dlq', 'show', agent, '--json', '--limit', '2', '--schemaless', ...at()]);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    const lines = shown.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatchObject({
        dlq: { topic: `${agent}.dlq` },
        agent,
        kind: 'permanent',
        errorClass: 'PermanentError',
        attempts: 1,
        origin: { topic: input },
        value: { encoding: 'json', value: { bad: true } },
      });
      expect(line.key).toMatch(/^order-[135]$/);
      // The worker stamps the id it derived on the records it writes, so order 5's is on its dead letter too.
      if (line.key === 'order-5') expect(line).toMatchObject({ eventIdDerived: false, eventId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-8/) as unknown });
      else expect(line).toMatchObject({ eventIdDerived: false, eventId: `${id}-event-${String(line.key).slice(-1)}` });
      expect(line.errorMessage).toMatch(/^order [135] has no customer$/);
      expect(line.history).toEqual([expect.objectContaining({ attempt: 1, kind: 'permanent', errorClass: 'PermanentError', agent })]);
    }

    const human = await mesh(['dlq', 'show', agent, '--limit', '1', ...at()]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^── .*\.dlq partition \d+ offset \d+, dead-lettered /);
    expect(human.stdout).toContain('kind:          permanent');
    expect(human.stdout).toMatch(/^trace id: +([0-9a-f]{32}|\(none: the event carried no traceparent\))$/m);
    expect(human.stdout).toMatch(/error: +PermanentError: order [135] has no customer/);
    expect(human.stdout).toMatch(/value \(json\):\n {2}\{\n {4}"n": [135],\n {4}"bad": true\n {2}\}/);
  });

  it('refuses unknown agents and bad filters with one clear line', async () => {
    const unknown = await mesh(['dlq', 'show', `nobody-${id}`, ...at()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(new RegExp(`^mesh: no dead-letter topic 'nobody-${id}\\.dlq': .*agents with a DLQ: .*${agent}.*\\n$`));

    const kind = await mesh(['dlq', 'replay', agent, '--where', 'error-kind=flaky', ...at()]);
    expect(kind).toMatchObject({ code: 1, stderr: 'mesh: --where error-kind=flaky: unknown error kind (kinds: transient, permanent, timeout, invalid-input, invalid-output)\n' });
    const field = await mesh(['dlq', 'replay', agent, '--where', 'colour=red', ...at()]);
    expect(field.code).toBe(1);
    expect(field.stderr).toMatch(/^mesh: --where: unknown field 'colour' \(fields: .*\)\n$/);
    const since = await mesh(['dlq', 'replay', agent, '--since', 'last week', ...at()]);
    expect(since.code).toBe(1);
    expect(since.stderr).toMatch(/^mesh: --since 'last week' is neither an ISO time .* nor a duration .*\n$/);
  });

  it('replay --dry-run prints what it would replay and changes nothing', async () => {
    const dry = await mesh(['dlq', 'replay', agent, '--dry-run', '--where', 'error-kind=permanent', ...at()]);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    const would = dry.stdout.split('\n').filter((l) => l.startsWith('would replay '));
    expect(would).toHaveLength(3);
    expect(dry.stdout).toContain(`dry run: would replay 3 of 3 dead letters read from ${agent}.dlq (error-kind=permanent) to ${agent}.retry.0; nothing was sent`);
    expect(await retryRecordCount()).toBe(0);
    expect((await cursorOffsets()).every((o) => o === '-1')).toBe(true);
  });

  it('replays through the retry path: a failing replay parks in the DLQ again, a succeeding one runs exactly once, and the cursor stops repeats', async () => {
    const watcher = await h.watch([output, retryTopic(agent, 0), `${agent}.dlq`]);
    const none = await mesh(['dlq', 'replay', agent, '--where', 'error-kind=transient', ...at()]);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^replayed 0 of 3 dead letters .*; skipped 3 not matching \(error-kind=transient\)\n$/);

    // Still failing: the replays come back to the DLQ, with their history grown and the replay marker.
    const first = await mesh(['dlq', 'replay', agent, '--where', 'error-kind=permanent', '--rate', '50', ...at()]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(new RegExp(`^replayed 3 of 3 dead letters read from ${agent}\\.dlq to ${agent}\\.retry\\.0 \\((replay-[0-9a-f]{8})@\\S+\\)\\n$`));
    const marker = /\((replay-[0-9a-f]{8}@\S+)\)/.exec(first.stdout)![1]!;
    const parked = (await watcher.until((s) => s.filter((x) => x.topic === `${agent}.dlq`).length === 6, 'the three replays dead-lettered again')).filter((x) => x.topic === `${agent}.dlq`).slice(3);
    for (const p of parked) {
      expect(p.headers[Header.replay]).toBe(marker);
      expect(p.headers[Header.attempt]).toBe('1'); // the replay was attempt 1 again
      expect(JSON.parse(p.headers[Header.failureHistory]!)).toHaveLength(2);
    }
    const replays = watcher.seen.filter((x) => x.topic === retryTopic(agent, 0));
    expect(replays).toHaveLength(3);
    for (const r of replays) {
      expect(r.headers[Header.attempt]).toBe('0');
      expect(r.headers[Header.replay]).toBe(marker);
      expect(r.headers[Header.errorKind]).toBe('permanent'); // the failure story travels along
      expect(r.headers[Header.eventId]).toEqual(expect.any(String)); // order 5 too: the id the worker derived
    }
    const listed = await mesh(['dlq', 'ls', agent, '--json', ...at()]);
    expect(JSON.parse(listed.stdout)).toMatchObject({ total: 6, byKind: { permanent: 6 } });
    // The three first dead letters were replayed (and failed again); their three new ones are open.
    await statesBecome({ open: 3, replayed: 3, resolved: 0 });

    // Fixed: the next replay continues after the cursor, so only the three parked records go.
    rejectBad = false;
    const second = await mesh(['dlq', 'replay', agent, ...at()]);
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toMatch(/^replayed 3 of 3 dead letters read from /);
    await watcher.until((s) => s.filter((x) => x.topic === output).length >= 6, 'all six orders billed');
    // Processed after a replay: every dead letter of the three events is resolved.
    await statesBecome({ open: 0, replayed: 0, resolved: 6 });

    const again = await mesh(['dlq', 'replay', agent, ...at()]);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toBe(`nothing to replay: no dead letters in ${agent}.dlq after the last replay (6 behind the replay cursor; --from-start reads them again)\n`);
    expect(await cursorTotal()).toBe(6);

    // From the start, the store knows the three events were processed since: nothing runs twice, and a dry run says so too.
    const dryFromStart = await mesh(['dlq', 'replay', agent, '--from-start', '--dry-run', ...at()]);
    expect(dryFromStart).toMatchObject({ code: 0, stderr: '' });
    const fromStart = await mesh(['dlq', 'replay', agent, '--from-start', ...at()]);
    expect(fromStart.code).toBe(0);
    expect(fromStart.stdout).toMatch(/^replayed 0 of 6 dead letters .*; skipped 3 already processed after an earlier replay, 3 more record\(s\) of an event already handled in this run\n$/);
    expect(countsOf(dryFromStart.stdout)).toEqual(countsOf(fromStart.stdout));
    expect(dryFromStart.stdout).toMatch(
      /^dry run: would replay 0 of 6 dead letters read from \S+ \(every dead letter\) to \S+; would skip 3 already processed .*; nothing was sent, forgotten or committed\n$/,
    );

    expect(await retryRecordCount()).toBe(6);
    const outputs = watcher.seen
      .filter((x) => x.topic === output)
      .map((x) => valueOf<{ n: number }>(x).n)
      .sort();
    expect(outputs).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...processed.entries()].sort(([a], [b]) => a - b)).toEqual([0, 1, 2, 3, 4, 5].map((n) => [n, 1]));
    expect(worker.agent).toBe(agent);
  });
});
