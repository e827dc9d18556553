import { CoordinatorMetrics, defineSaga, SagaStore, SAGA_REPLIES_TOPIC, type RunningCoordinator } from './imports';
import { Header, InvalidInputError, type EventCodec } from '@agentmesh/runtime';
import { HEARTBEAT_TOPIC, type HeartbeatRecord } from '@agentmesh/runtime/internal';
import { startPrivateRedis, type PrivateRedis } from '../../packages/runtime/test/support/redis-server';
import { eventually, uniqueName } from '../support/kafka';
import type { Seen } from '../runtime/support';
import {
  delay,
  type Behaviour,
  fail,
  fileHarness,
  jsonOf,
  homePartitionOf,
  SAGA_REPLY_PARTITIONS,
  gate,
  Ledger,
  ledgerParticipant,
  names,
  type Names,
  quiet,
  sagaIdFromTrigger,
  sagaIn,
  sagaWhere,
  steps,
  timelineTypes,
} from './support';

/**
 * The faults a fault-injection run of the signup saga found: a store outage during a rebalance, a reply a
 * participant sent twice, a reply that reached Kafka in time but was read after its deadline.
 */
const h = fileHarness();

/** A participant behaviour that holds a step's execution until released, saying when it was called. */
function heldStep(step: string): { behaviour: Behaviour; called: Promise<void>; release: () => void } {
  const called = gate();
  const released = gate();
  h.defer(released.open);
  const behaviour: Behaviour = async (cmd) => {
    if (cmd.step !== step || cmd.kind !== 'execute') return;
    called.open();
    await released.promise;
  };
  return { behaviour, called: called.promise, release: released.open };
}

async function gaugeValue(metrics: CoordinatorMetrics, name: string): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return Number(metric?.values[0]?.value ?? NaN);
}

describe('a saga store outage during a rebalance', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    redis.thaw();
    await redis.kill();
  });

  it('holds the partitions unclaimed, says so, and claims them once the store is back: the sagas move again', async () => {
    const n = names('claim-retry');
    const ledger = new Ledger();
    const saga = defineSaga({ name: n.name, trigger: n.trigger, sagaId: sagaIdFromTrigger, steps: steps(n, ['a', 'b'], {}, { timeoutMs: 60_000 }) });
    const stepA = heldStep('a');
    await h.worker(ledgerParticipant(n.agent, saga, ledger, stepA.behaviour));
    const store = SagaStore.connect(redis.url, quiet, { keyPrefix: `${uniqueName('claims')}:`, commandTimeoutMs: 300, connectTimeoutMs: 300 });
    h.defer(() => store.close());
    const groupId = uniqueName('coord');
    const metricsA = new CoordinatorMetrics();
    const heartbeats = await h.watch([HEARTBEAT_TOPIC]);
    const a = await h.coordinator({ sagas: [saga], store, groupId, metrics: metricsA, heartbeatEveryMs: 100 });
    const id = `${n.name}-1`;
    await h.trigger(n.trigger, [{ id }]);
    await stepA.called;

    // Redis stops answering, and a second instance joins: the group rebalances and every claim fails.
    redis.freeze();
    h.defer(() => redis.thaw());
    const b = await h.coordinator({ sagas: [saga], store, groupId }, false);
    const unready = async (c: RunningCoordinator) => {
      const checks = await c.readiness();
      return !checks.group!.ok && /cannot act on/.test(checks.group!.detail ?? '');
    };
    await eventually(async () => (await unready(a)) && (await unready(b)), 'both instances to hold partitions they cannot act on', 20_000);
    expect(a.ownedPartitions()).toEqual([]);
    expect(await gaugeValue(metricsA, 'mesh_saga_unclaimed_partitions')).toBeGreaterThan(0);
    const degraded = (seen: Seen[]) => seen.map((s) => jsonOf<HeartbeatRecord>(s)).find((hb) => hb.instanceId === a.instanceId && hb.status === 'DEGRADED');
    await heartbeats.until((seen) => degraded(seen) !== undefined, 'a DEGRADED heartbeat from the instance');
    expect(degraded(heartbeats.seen)!.counters.unclaimedPartitions).toBeGreaterThan(0);
    // Step a replies while the store is away: the reply waits in saga.replies.
    stepA.release();

    redis.thaw();
    const done = await sagaIn(store, id, ['completed', 'compensated', 'compensation_failed', 'forward_failed'], 20_000);
    expect(done.status).toBe('completed');
    expect(ledger.calls(id)).toEqual(['a', 'b']);
    // Ready, and every partition driven by one of them (the group may rebalance once more after the outage).
    const owned = () => [...a.ownedPartitions(), ...b.ownedPartitions()].sort((x, y) => x - y).join(',');
    await eventually(
      async () => ((await a.readiness()).group!.ok && (await b.readiness()).group!.ok && owned() === '0,1,2,3,4,5' ? true : undefined),
      'both instances ready, owning every partition',
      15_000,
    );
    expect([...a.ownedPartitions(), ...b.ownedPartitions()].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await gaugeValue(metricsA, 'mesh_saga_unclaimed_partitions')).toBe(0);
  });
});

describe('a reply read twice', () => {
  it('is applied once: the duplicate of a success after the saga was compensated runs no compensation again', async () => {
    const n = names('dup-reply');
    const ledger = new Ledger();
    const saga = defineSaga({ name: n.name, trigger: n.trigger, sagaId: sagaIdFromTrigger, steps: steps(n, ['a', 'b'], { b: { retry: { maxAttempts: 1 } } }) });
    await h.worker(ledgerParticipant(n.agent, saga, ledger, (cmd) => (cmd.step === 'b' && cmd.kind === 'execute' ? fail.permanent() : undefined)));
    const replies = await h.watch([SAGA_REPLIES_TOPIC]);
    const metrics = new CoordinatorMetrics();
    const store = h.store();
    await h.coordinator({ sagas: [saga], store, metrics });
    const id = `${n.name}-1`;
    await h.trigger(n.trigger, [{ id }]);
    const compensated = await sagaIn(store, id, ['compensated', 'compensation_failed', 'forward_failed', 'completed']);
    expect(compensated.status).toBe('compensated');
    expect(ledger.calls(id)).toEqual(['a', 'b!', 'a-undo']);

    // The participant sends a's success again, as one that handled the command twice would: same record, same event id.
    const seen = await replies.until((all) => all.some((s) => isReply(s.value, id, 'a', 'EXECUTE')), "a's reply");
    const original = seen.find((s) => isReply(s.value, id, 'a', 'EXECUTE'))!;
    expect(original.headers[Header.eventId]).toBeDefined();
    await h.produce(SAGA_REPLIES_TOPIC, [{ key: original.key, value: original.value, headers: original.headers }]);

    const after = await sagaWhere(store, id, (s) => timelineTypes(s).includes('REPLY_IGNORED'), 'the duplicate to be recorded');
    expect(after.timeline.at(-1)).toMatchObject({ type: 'REPLY_IGNORED', step: 'a', kind: 'execute', attempt: 1, detail: 'duplicate succeeded reply' });
    expect(after.status).toBe('compensated');
    expect(after.steps[0]!.compensationAttempts).toBe(1);
    expect(ledger.calls(id)).toEqual(['a', 'b!', 'a-undo']);
    const duplicates = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'mesh_saga_replies_total')?.values.find((v) => v.labels.disposition === 'duplicate');
    expect(duplicates?.value).toBe(1);
  });
});

describe('a deadline judged by Kafka time', () => {
  it('completes a step whose reply reached Kafka before the deadline, though no coordinator read it until after', async () => {
    const n = names('kafka-time');
    const ledger = new Ledger();
    const timeoutMs = 1_500;
    const saga = defineSaga({ name: n.name, trigger: n.trigger, sagaId: sagaIdFromTrigger, steps: steps(n, ['a', 'b'], { a: { timeoutMs, retry: { maxAttempts: 1 } } }) });
    const a = heldStep('a');
    await h.worker(ledgerParticipant(n.agent, saga, ledger, a.behaviour));
    const store = h.store();
    const groupId = uniqueName('coord');
    const first = await h.coordinator({ sagas: [saga], store, groupId });
    const id = `${n.name}-1`;
    await h.trigger(n.trigger, [{ id }]);
    const running = await sagaWhere(store, id, (s) => s.inFlight?.step === 0, 'step a to be sent');
    await a.called;

    // Its coordinator goes away; a replies in time, with nobody reading; the deadline passes; another coordinator takes over.
    await first.stop();
    // Ahead of a's reply, a backlog on its partition (replies for sagas long gone): the new owner's timer looks at
    // the overdue step well before its consumer reaches the reply.
    const home = homePartitionOf(id, SAGA_REPLY_PARTITIONS);
    const backlog = unknownSagaReplies(n.name, home, 3_000);
    for (let i = 0; i < backlog.length; i += 500) await h.produce(SAGA_REPLIES_TOPIC, backlog.slice(i, i + 500));
    a.release();
    await ledger.until((es) => es.some((e) => e.sagaId === id && e.step === 'a' && e.outcome === 'effect'), 'step a to take effect');
    const repliedAt = Date.now();
    expect(repliedAt).toBeLessThan(running.inFlight!.deadlineAt);
    await delay(running.inFlight!.deadlineAt + 200 - Date.now());
    await h.coordinator({ sagas: [saga], store, groupId });

    const done = await sagaIn(store, id, ['completed', 'compensated', 'compensation_failed', 'forward_failed']);
    expect(timelineTypes(done)).not.toContain('STEP_TIMED_OUT');
    expect(done.status).toBe('completed');
    expect(ledger.calls(id)).toEqual(['a', 'b']);
  });
});

describe('two coordinator deployments sharing saga.replies', () => {
  it("leave each other's replies alone, even in a codec the other cannot read", async () => {
    const [one, other] = [names('deploy-one'), names('deploy-other')];
    const sagaOf = (n: Names) => defineSaga({ name: n.name, trigger: n.trigger, sagaId: sagaIdFromTrigger, steps: steps(n, ['a']) });
    const ledger = new Ledger();
    const prefixed = new PrefixedJsonCodec();
    await h.worker(ledgerParticipant(one.agent, sagaOf(one), ledger));
    await h.worker(ledgerParticipant(other.agent, sagaOf(other), ledger), { codec: prefixed });
    const [metricsOne, metricsOther] = [new CoordinatorMetrics(), new CoordinatorMetrics()];
    const [storeOne, storeOther] = [h.store(), h.store()];
    const groups = { one: uniqueName('coord-one'), other: uniqueName('coord-other') };
    await h.coordinator({ sagas: [sagaOf(one)], store: storeOne, groupId: groups.one, metrics: metricsOne });
    await h.coordinator({ sagas: [sagaOf(other)], store: storeOther, groupId: groups.other, metrics: metricsOther, codec: prefixed });
    const dlqs = await h.watch([`${groups.one}.dlq`, `${groups.other}.dlq`]);
    await h.trigger(one.trigger, [{ id: 'one-1' }]);
    await h.produce(other.trigger, [{ key: 'other-1', value: await prefixed.encode(other.trigger, { id: 'other-1' }), headers: { [Header.eventId]: 'trigger-other-1' } }]);
    expect((await sagaIn(storeOne, 'one-1', ['completed', 'compensated'])).status).toBe('completed');
    expect((await sagaIn(storeOther, 'other-1', ['completed', 'compensated'])).status).toBe('completed');
    const ignored = async (m: CoordinatorMetrics) =>
      (await m.registry.getMetricsAsJSON()).find((x) => x.name === 'mesh_saga_replies_total')?.values.find((v) => v.labels.disposition === 'other-deployment')?.value ?? 0;
    await eventually(async () => (await ignored(metricsOne)) >= 1 && (await ignored(metricsOther)) >= 1, "each deployment to have passed over the other's reply");
    // (Replies without the deployment header, such as other tests' hand-made ones, are still read, and dead-lettered when unreadable.)
    expect(dlqs.seen.filter((s) => ['one-1', 'other-1'].includes(s.headers[Header.sagaId] ?? ''))).toEqual([]);
  });
});

/** JSON behind a marker byte: a codec of a deployment's own, which JSON alone cannot read. */
class PrefixedJsonCodec implements EventCodec {
  private static readonly MARK = 0x7f;
  async encode(_topic: string, value: unknown): Promise<Buffer> {
    return Buffer.concat([Buffer.from([PrefixedJsonCodec.MARK]), Buffer.from(JSON.stringify(value))]);
  }
  async decode(_topic: string, bytes: Buffer | null): Promise<unknown> {
    if (!bytes || bytes[0] !== PrefixedJsonCodec.MARK) throw new InvalidInputError('not in the prefixed codec');
    return JSON.parse(bytes.subarray(1).toString()) as unknown;
  }
}

/** Replies for `count` sagas nobody knows, all on `partition` (their home partition). */
function unknownSagaReplies(sagaType: string, partition: number, count: number): Array<{ key: string; value: string; partition: number }> {
  const replies: Array<{ key: string; value: string; partition: number }> = [];
  for (let i = 0; replies.length < count; i++) {
    const sagaId = `${sagaType}-gone-${i}`;
    if (homePartitionOf(sagaId, SAGA_REPLY_PARTITIONS) !== partition) continue;
    const reply = { sagaId, sagaType, step: 'a', kind: 'EXECUTE', attempt: 1, outcome: 'SUCCEEDED', data: null, errorKind: null, error: null, repliedAt: Date.now() };
    replies.push({ key: sagaId, value: JSON.stringify(reply), partition });
  }
  return replies;
}

function isReply(value: Buffer | null, sagaId: string, step: string, kind: 'EXECUTE' | 'COMPENSATE'): boolean {
  if (!value) return false;
  const reply = JSON.parse(value.toString()) as { sagaId?: string; step?: string; kind?: string };
  return reply.sagaId === sagaId && reply.step === step && reply.kind === kind;
}
