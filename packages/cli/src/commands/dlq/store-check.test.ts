import type { AnnouncedHeartbeat } from './heartbeats';
import { CURRENT_WINDOW_MS, judgeStore, latestPerInstance, type StoreVerdict } from './store-check';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const STORE = 'redis:8d0c2c56-4be8-4c27-8f5b-6a3b1c1e0f11';
const OTHER = 'redis:0f6f0e1a-9d0c-4d7a-a0a4-2f5b0c9e7d22';
const read = { noTopic: false, undecodable: 0 };
const configured = { url: 'redis://10.0.0.5:6379', identity: STORE };

function beat(over: Partial<AnnouncedHeartbeat> = {}): AnnouncedHeartbeat {
  return { agent: 'billing', instanceId: 'billing-1', host: 'h', pid: 1, status: 'READY', sentAt: NOW - 2_000, idempotencyStore: STORE, ...over };
}

const reasonOf = (v: StoreVerdict) => (v.ok ? '' : v.reason);

describe('judgeStore', () => {
  it('accepts the store every current instance announces', () => {
    const verdict = judgeStore('billing', read, [beat(), beat({ instanceId: 'billing-2', sentAt: NOW - 4_000 }), beat({ sentAt: NOW - 7_000 })], configured, NOW);
    expect(verdict).toEqual({ ok: true, identity: STORE, instances: ['billing-1', 'billing-2'], newestAt: NOW - 2_000 });
  });

  it('refuses another store, saying which and what to pass', () => {
    const verdict = judgeStore('billing', read, [beat()], { ...configured, identity: OTHER }, NOW);
    expect(verdict).toMatchObject({ ok: false, unchecked: false });
    expect(reasonOf(verdict)).toBe(
      `redis://10.0.0.5:6379 is not the idempotency store of agent 'billing': its store identity is ${OTHER}, while 'billing' announces ${STORE} (instance billing-1, heartbeat 2.0s ago); pass the agent's Redis with --redis or REDIS_URL`,
    );
    expect(reasonOf(judgeStore('billing', read, [beat()], { ...configured, identity: null }, NOW))).toMatch(/: it holds no store identity \(no agent has used it\), while 'billing' announces /);
  });

  it('judges by the newest heartbeat of each instance, and ignores instances gone long before the newest', () => {
    const moved = [beat({ sentAt: NOW - 60_000, idempotencyStore: OTHER }), beat({ sentAt: NOW - 1_000 })];
    expect(judgeStore('billing', read, moved, configured, NOW).ok).toBe(true);
    const gone = beat({ instanceId: 'billing-old', sentAt: NOW - 1_000 - CURRENT_WINDOW_MS - 1, idempotencyStore: OTHER });
    expect(judgeStore('billing', read, [beat({ sentAt: NOW - 1_000 }), gone], configured, NOW).ok).toBe(true);
    // A stopped agent is judged by its last heartbeats, however old.
    expect(judgeStore('billing', read, [beat({ status: 'STOPPING', sentAt: NOW - 3 * 24 * 3600_000 })], configured, NOW).ok).toBe(true);
  });

  it('refuses when current instances disagree', () => {
    const verdict = judgeStore('billing', read, [beat(), beat({ instanceId: 'billing-2', idempotencyStore: OTHER })], configured, NOW);
    expect(reasonOf(verdict)).toBe(`the instances of agent 'billing' announce different idempotency stores (billing-1: ${STORE}, billing-2: ${OTHER}): give them all the same Redis`);
  });

  it('cannot check without heartbeats, or with heartbeats that announce no store', () => {
    const none = judgeStore('billing', read, [], configured, NOW);
    expect(none).toMatchObject({ ok: false, unchecked: true });
    expect(reasonOf(none)).toBe(
      "no heartbeat of agent 'billing' among the newest 5000 per partition of mesh.heartbeats (is it running here?): cannot check that redis://10.0.0.5:6379 is its idempotency store",
    );
    expect(reasonOf(judgeStore('billing', { noTopic: true, undecodable: 0 }, [], configured, NOW))).toMatch(/^no heartbeat of agent 'billing': there is no mesh\.heartbeats topic/);
    expect(reasonOf(judgeStore('billing', { noTopic: false, undecodable: 4, undecodableReason: 'registry down' }, [], configured, NOW))).toMatch(
      /; 4 heartbeat\(s\) could not be read: registry down: cannot check/,
    );
    const silent = judgeStore('billing', read, [beat({ idempotencyStore: null })], configured, NOW);
    expect(silent).toMatchObject({ ok: false, unchecked: true });
    expect(reasonOf(silent)).toMatch(/^agent 'billing' does not announce its idempotency store \(instance billing-1, heartbeat 2\.0s ago: a runtime from before store identities/);
  });

  it('refuses an agent that keeps its store in process memory', () => {
    const verdict = judgeStore('billing', read, [beat({ idempotencyStore: 'memory:5e0f' })], configured, NOW);
    expect(verdict).toMatchObject({ ok: false, unchecked: false });
    expect(reasonOf(verdict)).toMatch(/keeps its idempotency store in process memory .*run it with REDIS_URL$/);
  });

  it('orders instances newest first', () => {
    expect(latestPerInstance([beat({ instanceId: 'a', sentAt: 1 }), beat({ instanceId: 'b', sentAt: 3 }), beat({ instanceId: 'a', sentAt: 5 })]).map((h) => [h.instanceId, h.sentAt])).toEqual([
      ['a', 5],
      ['b', 3],
    ]);
  });
});
