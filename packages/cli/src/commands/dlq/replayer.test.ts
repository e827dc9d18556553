import { Header, type ClaimResult, type Outcome } from '@agentmesh/runtime';
import type { ProducerRecord, RecordMetadata } from 'kafkajs';
import { deadLetterRecord } from '../../../test/support/dead-letters';
import type { HeldState, ReplayNote } from './agent-store';
import { parseWhere } from './filters';
import { fromClaim, fromPeek, replayDecision, Replayer, type ReplaySender, type ReplayStore } from './replay';
import { TokenBucket } from './token-bucket';

/** An idempotency store in a Map that logs every call, so the test sees their order. */
class FakeStore implements ReplayStore {
  readonly held = new Map<string, { done: Outcome } | { lease: string }>();
  readonly notes: ReplayNote[] = [];
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
  async peek(_agent: string, ids: readonly string[]): Promise<Map<string, HeldState>> {
    this.calls.push(`peek ${ids.join(',')}`);
    return new Map(
      ids.map((id): [string, HeldState] => {
        const h = this.held.get(id);
        return [id, h === undefined ? { state: 'free' } : 'done' in h ? { state: 'done', outcome: h.done } : { state: 'leased', owner: h.lease }];
      }),
    );
  }
  async noteReplays(_agent: string, notes: readonly ReplayNote[]): Promise<void> {
    this.calls.push(`note ${notes.map((n) => `${n.partition}@${n.offset}`).join(',')}`);
    this.notes.push(...notes);
  }
}

function setup(options: { rate?: number; limit?: number; where?: string[]; dryRun?: boolean } = {}) {
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
  const printed: string[] = [];
  const replayer = new Replayer(
    'billing',
    { id: 'replay-00000000', startedAt: 0 },
    store,
    options.dryRun ? { dryRun: true, print: (line) => void printed.push(line) } : { dryRun: false, producer: sender },
    { where: (options.where ?? []).map(parseWhere) },
    { limit: options.limit, bucket, progress: undefined, total: 10 },
  );
  const commits: bigint[] = [];
  const control = { heartbeat: async () => undefined, commit: async (offset: bigint) => void commits.push(offset) };
  return { store, sent, replayer, commits, control, sleeps, printed };
}

const records = (kinds: string[]) => kinds.map((kind, i) => deadLetterRecord({ offset: String(i) }, { [Header.eventId]: `e${i}`, [Header.errorKind]: kind }));

describe('Replayer', () => {
  it('forgets dead-lettered completions before it produces, then commits the cursor', async () => {
    const t = setup();
    t.store.held.set('e0', { done: 'dead-lettered' });
    await t.replayer.onRecords(records(['permanent', 'permanent']), t.control);
    expect(t.store.calls).toEqual(['claim e0,e1', 'forget e0', 'release e1', 'send e0,e1', 'note 0@0,0@1']);
    expect(t.store.notes.map((n) => [n.eventId, n.replay])).toEqual([
      ['e0', 'replay-00000000@1970-01-01T00:00:00.000Z'],
      ['e1', 'replay-00000000@1970-01-01T00:00:00.000Z'],
    ]);
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

  it('replays one record per event in a run, and notes the others of the event as replayed with it', async () => {
    const t = setup();
    const twice = [deadLetterRecord({ offset: '0' }, { [Header.eventId]: 'e0' }), deadLetterRecord({ offset: '1' }, { [Header.eventId]: 'e0' })];
    await t.replayer.onRecords(twice, t.control);
    expect(t.replayer.counts).toMatchObject({ replayed: 1, sameEvent: 1 });
    expect(t.commits.at(-1)).toBe(2n);
    expect(t.store.notes.map((n) => `${n.eventId} ${n.partition}@${n.offset}`)).toEqual(['e0 0@0', 'e0 0@1']);
  });

  it('notes nothing for an event it did not send', async () => {
    const t = setup();
    t.store.held.set('e0', { done: 'processed' });
    const twice = [deadLetterRecord({ offset: '0' }, { [Header.eventId]: 'e0' }), deadLetterRecord({ offset: '1' }, { [Header.eventId]: 'e0' })];
    await t.replayer.onRecords(twice, t.control);
    expect(t.replayer.counts).toMatchObject({ replayed: 0, alreadyProcessed: 1, sameEvent: 1 });
    expect(t.store.notes).toEqual([]);
  });

  it('in a dry run, decides as a replay would from a look at the store, and changes nothing', async () => {
    const held: Array<[string, { done: Outcome } | { lease: string }]> = [
      ['e0', { done: 'processed' }],
      ['e1', { lease: 'a-worker' }],
      ['e2', { done: 'dead-lettered' }],
    ];
    const kinds = ['permanent', 'permanent', 'permanent', 'transient', 'permanent'];
    const dry = setup({ dryRun: true, where: ['error-kind=permanent'], limit: 3 });
    const real = setup({ where: ['error-kind=permanent'], limit: 3 });
    for (const t of [dry, real]) for (const [id, h] of held) t.store.held.set(id, h);
    await dry.replayer.onRecords(records(kinds), dry.control);
    await real.replayer.onRecords(records(kinds), real.control);
    expect(dry.replayer.counts).toEqual(real.replayer.counts);
    expect(dry.replayer.counts).toMatchObject({ scanned: 3, replayed: 1, alreadyProcessed: 1, inFlight: 1 });
    expect(dry.store.calls).toEqual(['peek e0,e1,e2']);
    expect(dry.printed).toEqual([expect.stringMatching(/^would replay billing\.dlq\/0@2 key=order-1 event=e2 permanent /)]);
    expect([dry.sent, dry.commits, dry.store.notes]).toEqual([[], [], []]);
    expect(dry.store.held.get('e2')).toEqual({ done: 'dead-lettered' });
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

describe('replayDecision', () => {
  it('reads a claim and a look at the store alike', () => {
    const cases: Array<[ClaimResult | undefined, HeldState | undefined, string]> = [
      [{ state: 'acquired' }, { state: 'free' }, 'replay'],
      [undefined, undefined, 'replay'],
      [{ state: 'done', outcome: 'dead-lettered' }, { state: 'done', outcome: 'dead-lettered' }, 'replay'],
      [{ state: 'done', outcome: 'processed' }, { state: 'done', outcome: 'processed' }, 'already-processed'],
      [{ state: 'done', outcome: 'degraded' }, { state: 'done', outcome: 'degraded' }, 'already-processed'],
      [{ state: 'busy', owner: 'w' }, { state: 'leased', owner: 'w' }, 'in-flight'],
    ];
    for (const [claim, held, decision] of cases) {
      expect(replayDecision(fromClaim(claim))).toBe(decision);
      expect(replayDecision(fromPeek(held))).toBe(decision);
    }
  });
});
