import { createServer, type AddressInfo } from 'node:net';
import { runMesh, type FinishedCommand } from '../support/mesh-cli';
import { defineAgent, Header, PermanentError, type AgentEvent } from '@agentmesh/runtime';
import { runtimeHarness, type RuntimeHarness, type Watcher } from '../runtime/support';
import { uniqueName } from '../support/kafka';
import { TEST_REDIS_URL } from '../support/redis';
import { deleteTraceIndex } from '../support/trace-index';

// `mesh trace` as an operator runs it: the built CLI in its own process, against agents running here
// (embedded broker, the real Redis) through which one published order takes every kind of hop:
// a transient failure and its retry, a dead letter, a degraded output.

const REDIS_URL = TEST_REDIS_URL;

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function mesh(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 45_000): Promise<FinishedCommand> {
  return runMesh(args, { REDIS_URL, JAEGER_URL: '', ...env }, timeoutMs);
}

interface Order {
  n: number;
}

interface HopJson {
  topic: string;
  parent: string | null;
  place: string;
  depth: number;
  agent: string | null;
  attempt: number | null;
  outcome: { kind: string; delayMs?: number; error?: { kind: string; errorClass: string; message: string }; reason?: string; attempts?: number };
}

interface JourneyJson {
  journeyIds: string[];
  traceIds: string[];
  jaeger: string | null;
  durationMs: number;
  counts: Record<string, number>;
  hops: HopJson[];
}

let h: RuntimeHarness;
let watcher: Watcher;
const id = uniqueName('trace');
const input = `orders-${id}`;
const accepted = `accepted-${id}`;
const enriched = `enriched-${id}`;
const intake = `intake-${id}`;
const checker = `checker-${id}`;
const enricher = `enricher-${id}`;
/** Events intake has failed once: the second delivery succeeds. */
const failedOnce = new Set<string>();
let eventId = '';
let traceId = '';
const at = () => ['--brokers', h.broker.address];

beforeAll(async () => {
  h = await runtimeHarness();
  await h.start(
    defineAgent<Order>({
      name: intake,
      consumes: [input],
      produces: [accepted],
      retry: { delaysMs: [200], maxAttempts: 3, jitter: 0 },
      handle: (e: AgentEvent<Order>) => {
        if (!failedOnce.has(e.eventId)) {
          failedOnce.add(e.eventId);
          throw new Error('erp timed out');
        }
        return [{ topic: accepted, value: { n: e.value.n } }];
      },
    }),
  );
  await h.start(
    defineAgent<Order>({
      name: checker,
      consumes: [accepted],
      produces: [],
      handle: (e: AgentEvent<Order>) => {
        throw new PermanentError(`order ${e.value.n} has no customer`);
      },
    }),
  );
  await h.start(
    defineAgent<Order>({
      name: enricher,
      consumes: [accepted],
      produces: [enriched],
      critical: false,
      handle: () => {
        throw new PermanentError('crm down');
      },
      fallback: (e: AgentEvent<Order>) => [{ topic: enriched, value: { n: e.value.n, enriched: false } }],
    }),
  );
  watcher = await h.watch([accepted, enriched, `${checker}.dlq`]);

  const published = await mesh(['publish', input, '--json', '--value', '{"n":7}', '--key', 'order-7', ...at()]);
  expect(published).toMatchObject({ code: 0, stderr: '' });
  [, eventId, traceId] = /^published (\S+) to .* trace ([0-9a-f]{32})\n$/.exec(published.stdout)!;
  await watcher.until((seen) => [accepted, enriched, `${checker}.dlq`].every((t) => seen.some((s) => s.topic === t)), 'the output, the degraded output and the dead letter');
}, 90_000);

afterAll(async () => {
  if (h) await deleteTraceIndex(h.kafka).catch(() => undefined);
  await h?.close();
});

describe('mesh trace', () => {
  let journey: JourneyJson;

  it('--json rebuilds every hop of the journey from Kafka, with its outcome and who wrote it', async () => {
    const traced = await mesh(['trace', eventId, '--json', ...at()]);
    expect(traced).toMatchObject({ code: 0, stderr: '' });
    journey = JSON.parse(traced.stdout) as JourneyJson;
    expect(journey).toMatchObject({ journeyIds: [eventId], traceIds: [traceId], jaeger: null, counts: { records: 5, retries: 1, deadLetters: 1, degraded: 1 } });
    const hop = (topic: string) => journey.hops.find((x) => x.topic === topic)!;
    const shape = journey.hops.map((x) => `${x.topic}:${x.depth}`);
    expect(shape.slice(0, 3)).toEqual([`${input}:0`, `${intake}.retry.0:1`, `${accepted}:2`]);
    // The dead letter and the degraded output both follow the accepted order; their order is their time order.
    expect(shape.slice(3).sort()).toEqual([`${checker}.dlq:3`, `${enriched}:3`].sort());
    expect(hop(input)).toMatchObject({ agent: null, outcome: { kind: 'ok' } });
    expect(hop(`${intake}.retry.0`)).toMatchObject({
      agent: intake,
      attempt: 1,
      outcome: { kind: 'retry', delayMs: expect.any(Number) as unknown, error: { kind: 'transient', errorClass: 'Error', message: 'erp timed out' } },
    });
    expect(hop(`${intake}.retry.0`).outcome.delayMs).toBeGreaterThanOrEqual(150);
    // The output came from the retry that succeeded, not the first delivery.
    expect(hop(accepted)).toMatchObject({ agent: intake, parent: hop(`${intake}.retry.0`).place, outcome: { kind: 'ok' } });
    expect(hop(`${checker}.dlq`)).toMatchObject({
      agent: checker,
      parent: hop(accepted).place,
      outcome: { kind: 'dead-lettered', attempts: 1, error: { kind: 'permanent', errorClass: 'PermanentError', message: 'order 7 has no customer' } },
    });
    expect(hop(enriched)).toMatchObject({ agent: enricher, parent: hop(accepted).place, outcome: { kind: 'degraded' } });
    expect(hop(enriched).outcome.reason).toMatch(/^permanent: /);
  });

  it('finds the same journey by its trace id and by a later hop, and draws the waterfall with the Jaeger link', async () => {
    const byTrace = await mesh(['trace', traceId, '--jaeger-url', 'http://127.0.0.1:16686', '--width', '20', ...at()]);
    expect(byTrace).toMatchObject({ code: 0, stderr: '' });
    const lines = byTrace.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`journey ${eventId}  trace ${traceId}`);
    expect(lines[1]).toMatch(/^5 records over \S+ from \S+: 1 retry, 1 dead-lettered, 1 degraded$/);
    expect(lines[2]).toBe(`jaeger: http://127.0.0.1:16686/trace/${traceId}`);
    expect(lines[4]!.split(/\s{2,}/).slice(0, 7)).toEqual(['START', 'TOPIC', 'AT', 'AGENT', 'TRY', 'OUTCOME', 'TOOK']);
    const rows = lines.slice(5);
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatch(new RegExp(`^\\+0ms\\s+${input}\\s+\\d+@0\\s+-\\s+-\\s+published\\s+\\S+\\s+█[·█]{19}$`));
    expect(rows[1]).toMatch(new RegExp(`└ ${intake}\\.retry\\.0\\s+\\d+@0\\s+${intake}\\s+1\\s+retry 0 in \\S+: transient Error: erp timed out`));
    expect(rows.find((r) => r.includes(`${checker}.dlq`))).toMatch(/dead-lettered after 1 attempt: permanent PermanentError: order 7 has no customer/);
    expect(rows.find((r) => r.includes(enriched))).toMatch(new RegExp(`${enricher}\\s+-\\s+degraded: permanent: `));
    for (const r of rows) expect(r).toMatch(/[·█]{20}$/);

    const accepted0 = watcher.seen.find((s) => s.topic === accepted)!.headers[Header.eventId]!;
    const byHop = await mesh(['trace', accepted0, '--json', ...at()], { JAEGER_URL: 'http://jaeger.example:16686' });
    expect(byHop.code).toBe(0);
    const again = JSON.parse(byHop.stdout) as JourneyJson;
    expect(again.hops).toEqual(journey.hops);
    expect(again.jaeger).toBe(`http://jaeger.example:16686/trace/${traceId}`);
  });

  it('indexes only what is new: after a trace, the index has nothing left to read', async () => {
    const indexed = await mesh(['trace-index', ...at()]);
    expect(indexed).toMatchObject({ code: 0, stderr: '' });
    expect(indexed.stdout).toMatch(/^indexed 0 records from 0 partitions in \d+ ms\n$/);
  });

  it('an unknown id, or text that cannot be an id, is one line and a non-zero exit', async () => {
    const unknown = await mesh(['trace', `no-such-event-${id}`, ...at()]);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toBe(`mesh: no record on ${h.broker.address} carries 'no-such-event-${id}' as its event, correlation, trace or saga id\n`);

    const unreachable = await mesh(['trace', eventId, '--redis', `redis://127.0.0.1:${await closedPort()}`, ...at()]);
    expect(unreachable).toMatchObject({ code: 1, stdout: '' });
    expect(unreachable.stderr).toMatch(/^mesh: trace index at redis:\/\/127\.0\.0\.1:\d+\/?: .* \(set it with --redis or REDIS_URL\)\n$/);

    const bad = await mesh(['trace', 'two words', ...at()]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.split('\n')[0]).toMatch(/'two words' is not an event id or a trace id/);
  });
});
