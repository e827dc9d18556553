import { defineAgent, PermanentError, retryTopic } from '@agentmesh/runtime';
import { defineSaga, SAGA_EVENTS_TOPIC, sagaParticipant } from '@agentmesh/coordinator';
import { failFirst, startTestMesh, TestMeshError, type TestMesh } from '@agentmesh/testing';
import { uniqueName } from '../support/kafka';
import { TEST_REDIS_URL } from '../support/redis';

// The test kit end to end: its embedded broker over TCP, the real Redis, real retry topics, virtual time.

interface Order {
  n: number;
}

const TIERS = [1_000, 10_000, 60_000];

/** An agent on three retry tiers that fails each order's first `failures` deliveries, telling `onCall` of each. */
function tieredAgent(failures: number, onCall: (attempt: number) => void) {
  const name = uniqueName('tiers');
  const handle = failFirst<Order, unknown>(failures, (e) => [{ topic: `${name}.out`, value: { done: e.value.n, attempt: e.attempt } }]);
  return defineAgent<Order>({
    name,
    consumes: [`${name}.in`],
    produces: [`${name}.out`],
    retry: { delaysMs: TIERS, maxAttempts: 4, jitter: 0 },
    handle: (e, ctx) => {
      onCall(e.attempt);
      return handle(e, ctx);
    },
  });
}

describe('the test kit', () => {
  describe('on real time, with the real Redis', () => {
    let mesh: TestMesh;
    beforeAll(async () => {
      mesh = await startTestMesh({ redis: TEST_REDIS_URL });
    });
    afterAll(() => mesh.stop());

    it('runs an agent, publishes to it and finds its output by the event that caused it', async () => {
      const name = uniqueName('double');
      await mesh.run(defineAgent<Order>({ name, consumes: [`${name}.in`], produces: [`${name}.out`], handle: (e) => [{ topic: `${name}.out`, value: { doubled: e.value.n * 2 } }] }));
      const first = await mesh.publish(`${name}.in`, { n: 1 }, { key: 'a' });
      const second = await mesh.publish(`${name}.in`, { n: 21 }, { key: 'b' });
      const out = await mesh.outputs(`${name}.out`).waitFor({ causedBy: second.eventId }, { timeoutMs: 20_000 });
      expect(out.value).toEqual({ doubled: 42 });
      expect(out.key).toBe('b');
      const both = await mesh.outputs(`${name}.out`).waitForCount(2, (r) => r.eventId !== first.eventId, { timeoutMs: 20_000 });
      expect(both.map((r) => r.value)).toEqual(expect.arrayContaining([{ doubled: 2 }, { doubled: 42 }]));
      expect(mesh.redisUrl).toBe(TEST_REDIS_URL);
      expect(mesh.contracts.length).toBeGreaterThan(0);
    });

    it('reads an agent DLQ decoded, with the failure history, and says what it waited for when a wait runs out', async () => {
      const name = uniqueName('refuse');
      const agent = await mesh.run(
        defineAgent<Order>({
          name,
          consumes: [`${name}.in`],
          produces: [],
          retry: { delaysMs: [50], maxAttempts: 2, jitter: 0 },
          handle: failFirst(1, () => {
            throw new PermanentError('order refused');
          }),
        }),
      );
      const sent = await mesh.publish(`${name}.in`, { n: 7 });
      const dead = await agent.dlq().waitFor({ eventId: sent.eventId }, { timeoutMs: 20_000 });
      expect(dead.value).toEqual({ n: 7 });
      expect(dead.failure?.kind).toBe('permanent');
      expect(dead.failure?.errorMessage).toBe('order refused');
      expect(dead.failure?.history.map((h) => [h.attempt, h.errorClass])).toEqual([
        [1, 'Error'],
        [2, 'PermanentError'],
      ]);
      await mesh.outputs(`${name}.in`).waitFor({ eventId: sent.eventId });
      await expect(mesh.outputs(`${name}.in`).waitFor({ eventId: 'never-sent' }, { timeoutMs: 300 })).rejects.toThrow(
        /timed out after 300 ms waiting for a record with \{"eventId":"never-sent"\} on .*\.in \(1 records seen\)/,
      );
      expect(() => mesh.clock).toThrow(TestMeshError);
    });
  });

  describe('with Avro through the embedded registry', () => {
    it('registers the contracts, encodes what it publishes by them and refuses a value they do not allow', async () => {
      const mesh = await startTestMesh({ codec: 'registry', redis: 'memory' });
      try {
        expect(mesh.contracts).toEqual(expect.arrayContaining(['accounts.signups-value', 'mesh.heartbeats-value']));
        const signup = { accountId: uniqueName('acct'), email: 'ada@example.com', displayName: 'Ada', plan: 'TEAM', referralCode: null, requestedAt: 1_700_000_000_000 };
        const sent = await mesh.publish('accounts.signups', signup, { key: signup.accountId });
        const seen = await mesh.outputs('accounts.signups').waitFor({ eventId: sent.eventId });
        expect(seen.value).toMatchObject({ accountId: signup.accountId, plan: 'TEAM' });
        await expect(mesh.publish('accounts.signups', { accountId: 42 })).rejects.toThrow(/accountId/);
      } finally {
        await mesh.stop();
      }
    });
  });

  describe('with a saga coordinator', () => {
    let mesh: TestMesh;
    beforeAll(async () => {
      mesh = await startTestMesh({ redis: TEST_REDIS_URL });
    });
    afterAll(() => mesh.stop());

    it('runs a saga over an in-process participant, its audit events readable as outputs', async () => {
      const name = uniqueName('saga');
      const steps: string[] = [];
      const saga = defineSaga<{ id: string }>({
        name,
        trigger: `${name}.trigger`,
        steps: [
          { name: 'reserve', command: `${name}.reserve`, timeoutMs: 10_000 },
          { name: 'charge', command: `${name}.charge`, timeoutMs: 10_000 },
        ],
      });
      const record = (step: string) => () => void steps.push(step);
      await mesh.run(sagaParticipant<{ id: string }>({ name: `${name}-p`, on: { [`${name}.reserve`]: record('reserve'), [`${name}.charge`]: record('charge') } }));
      await mesh.coordinator([saga]);
      await mesh.publish(`${name}.trigger`, { id: 'order-1' }, { key: 'order-1' });
      const done = await mesh
        .outputs(SAGA_EVENTS_TOPIC)
        .waitFor((r) => (r.value as { sagaType: string; status: string }).sagaType === name && (r.value as { status: string }).status === 'completed', { timeoutMs: 30_000 });
      expect(done.value).toMatchObject({ sagaType: name, status: 'completed' });
      expect(steps).toEqual(['reserve', 'charge']);
    });
  });

  describe('on virtual time', () => {
    it('passes three retry tiers a minute apart in well under a second of waiting, in tier order', async () => {
      const mesh = await startTestMesh({ clock: 'auto', redis: 'memory', contracts: false });
      try {
        const calls: Array<{ attempt: number; at: number }> = [];
        const agent = tieredAgent(3, (attempt) => calls.push({ attempt, at: mesh.clock.now() }));
        await mesh.run(agent);
        const sent = await mesh.publish(agent.consumes[0]!, { n: 3 });
        const started = Date.now();
        const out = await mesh.outputs(agent.produces[0]!).waitFor({ causedBy: sent.eventId }, { timeoutMs: 20_000 });
        const wallMs = Date.now() - started;
        expect(out.value).toEqual({ done: 3, attempt: 4 });
        expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
        // Each retry ran no sooner than its tier's delay after the failure before it, in virtual time.
        for (let i = 0; i < TIERS.length; i++) expect(calls[i + 1]!.at - calls[i]!.at).toBeGreaterThanOrEqual(TIERS[i]!);
        expect(calls[3]!.at - calls[0]!.at).toBeGreaterThanOrEqual(71_000);
        expect(wallMs).toBeLessThan(10_000);
      } finally {
        await mesh.stop();
      }
    });

    it('holds a retry until a manual clock is moved past its tier', async () => {
      const mesh = await startTestMesh({ clock: 'manual', redis: 'memory', contracts: false });
      try {
        const calls: Array<{ attempt: number; at: number }> = [];
        const agent = tieredAgent(1, (attempt) => calls.push({ attempt, at: mesh.clock.now() }));
        await mesh.run(agent);
        const sent = await mesh.publish(agent.consumes[0]!, { n: 1 });
        await mesh.outputs(retryTopic(agent.name, 0)).waitFor({ eventId: sent.eventId });
        // The worker has fetched the retry and paused its tier until due: nothing moves until the clock does.
        await mesh.clock.waitForPending(1);
        await expect(mesh.outputs(agent.produces[0]!).waitFor({ causedBy: sent.eventId }, { timeoutMs: 300 })).rejects.toThrow(/timed out/);
        expect(calls.map((c) => c.attempt)).toEqual([1]);
        mesh.clock.advance(TIERS[0]!);
        const out = await mesh.outputs(agent.produces[0]!).waitFor({ causedBy: sent.eventId });
        expect(out.value).toEqual({ done: 1, attempt: 2 });
        expect(calls[1]!.at - calls[0]!.at).toBe(TIERS[0]);
      } finally {
        await mesh.stop();
      }
    });

    it('needs Redis for a coordinator and says so', async () => {
      const mesh = await startTestMesh({ redis: 'memory', contracts: false });
      try {
        await expect(mesh.coordinator([])).rejects.toThrow(/keeps its sagas in Redis/);
      } finally {
        await mesh.stop();
      }
    });
  });
});
