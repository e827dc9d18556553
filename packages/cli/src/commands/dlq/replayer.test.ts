import { Header, type ClaimResult, type IdempotencyStore, type Outcome } from '@agentmesh/runtime';
import type { ProducerRecord, RecordMetadata } from 'kafkajs';
import { deadLetterRecord } from '../../../test/support/dead-letters';
import { parseWhere } from './filters';
import { Replayer, type ReplaySender } from './replay';
import { TokenBucket } from './token-bucket';

/** An idempotency store in a Map that logs every call, so the test sees their order. */
class FakeStore implements IdempotencyStore {
  readonly kind = 'memory' as const;
  readonly held = new Map<string, { done: Outcome } | { lease: string }>();
  readonly calls: string[] = [];
  async claim(_agent: string, ids: readonly string[], owner: string): Promise<Map<string, ClaimResult>> {
    this.calls.push(`claim ${ids.join(',')}`);
    const out = new Map<string, ClaimResult>();
    for (const id of ids) {
      const h = this.held.get(id);
      if (h && 'done' in h) out.set(id, { state: 'done', outcome: h.done });
      else if (h && h.lease !== owner) out.set(id, { state: 'busy', owner: h.lease });
      else {
        this.held.set(id, { lease: owner });
        out.set(id, { state: 'acquired' });
      }
    }
    return out;
  }
  async complete(): Promise<void> {}
  async release(_agent: string, ids: readonly string[], owner: string): Promise<void> {
    if (ids.length > 0) this.calls.push(`release ${ids.join(',')}`);
    for (const id of ids) if (JSON.stringify(this.held.get(id)) === JSON.stringify({ lease: owner })) this.held.delete(id);
  }
  async forget(_agent: string, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) this.calls.push(`forget ${ids.join(',')}`);
    for (const id of ids) this.held.delete(id);
  }
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

function setup(options: { rate?: number; limit?: number; where?: string[] } = {}) {
  const store = new FakeStore();
  const sent: ProducerRecord[] = [];
  const sender: ReplaySender = {
    send: async (record) => {
      store.calls.push(`send ${record.messages.map((m) => (m.headers as Record<string, string>)[Header.eventId]).join(',')}`);
      sent.push(record);
      return [] as RecordMetadata[];
    },
  };
  let now = 0;
  const sleeps: number[] = [];
  const bucket =
    options.rate === undefined
      ? undefined
      : new TokenBucket(
          options.rate,
          () => now,
          async (ms) => void (sleeps.push(ms), (now += ms)),
        );
  const replayer = new Replayer(
    'billing',
    { id: 'replay-00000000', startedAt: 0 },
    store,
    sender,
    { where: (options.where ?? []).map(parseWhere) },
    { limit: options.limit, bucket, progress: undefined, total: 10 },
  );
  const commits: bigint[] = [];
  const control = { heartbeat: async () => undefined, commit: async (offset: bigint) => void commits.push(offset) };
  return { store, sent, replayer, commits, control, sleeps };
}

const records = (kinds: string[]) => kinds.map((kind, i) => deadLetterRecord({ offset: String(i) }, { [Header.eventId]: `e${i}`, [Header.errorKind]: kind }));

describe('Replayer', () => {
  it('forgets dead-lettered completions before it produces, then commits the cursor', async () => {
    const t = setup();
    t.store.held.set('e0', { done: 'dead-lettered' });
    await t.replayer.onRecords(records(['permanent', 'permanent']), t.control);
    expect(t.store.calls).toEqual(['claim e0,e1', 'forget e0', 'release e1', 'send e0,e1']);
    expect(t.sent[0]!.topic).toBe('billing.retry.0');
    expect(t.commits.at(-1)).toBe(2n);
    expect(t.replayer.counts).toMatchObject({ scanned: 2, replayed: 2, skipped: 0 });
    expect(t.store.held.size).toBe(0); // the worker will claim them afresh
  });

  it('skips events processed since and events in flight; the cursor stops before the one in flight', async () => {
    const t = setup();
    t.store.held.set('e0', { done: 'processed' });
    t.store.held.set('e1', { lease: 'a-worker' });
    await t.replayer.onRecords(records(['permanent', 'permanent', 'permanent']), t.control);
    expect(t.sent.flatMap((r) => r.messages.map((m) => (m.headers as Record<string, string>)[Header.eventId]))).toEqual(['e2']);
    expect(t.replayer.counts).toMatchObject({ replayed: 1, alreadyProcessed: 1, inFlight: 1 });
    expect(t.commits.at(-1)).toBe(1n);
  });

  it('leaves records a filter passed over ahead of the cursor', async () => {
    const t = setup({ where: ['error-kind=permanent'] });
    await t.replayer.onRecords(records(['permanent', 'transient', 'permanent']), t.control);
    expect(t.replayer.counts).toMatchObject({ replayed: 2, notMatching: 1 });
    expect(t.commits.at(-1)).toBe(1n);
  });

  it('replays one record per event in a run', async () => {
    const t = setup();
    const twice = [deadLetterRecord({ offset: '0' }, { [Header.eventId]: 'e0' }), deadLetterRecord({ offset: '1' }, { [Header.eventId]: 'e0' })];
    await t.replayer.onRecords(twice, t.control);
    expect(t.replayer.counts).toMatchObject({ replayed: 1, sameEvent: 1 });
    expect(t.commits.at(-1)).toBe(2n);
  });

  it('paces sends with the token bucket and keeps the cursor moving', async () => {
    const t = setup({ rate: 2 });
    await t.replayer.onRecords(records(['permanent', 'permanent', 'permanent', 'permanent', 'permanent']), t.control);
    expect(t.sleeps).toEqual([500, 500, 500]);
    expect(t.sent.map((r) => r.messages.length)).toEqual([2, 1, 1, 1]);
    expect(t.commits).toEqual([2n, 3n, 4n, 5n]);
  });

  it('stops at the limit', async () => {
    const t = setup({ limit: 2 });
    expect(await t.replayer.onRecords(records(['permanent', 'permanent', 'permanent']), t.control)).toBe('stop');
    expect(t.replayer.counts.replayed).toBe(2);
    expect(t.commits.at(-1)).toBe(2n);
  });
});
