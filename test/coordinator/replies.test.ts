import { Header } from '@agentmesh/runtime';
import { CoordinatorMetrics, defineSaga, SAGA_REPLIES_TOPIC, type SagaReplyRecord, type SagaState } from './imports';
import { eventually } from '../support/kafka';
import { fileHarness, gate, homePartitionOf, Ledger, ledgerParticipant, names, sagaIdFromTrigger, sagaIn, sagaWhere, steps, SAGA_REPLY_PARTITIONS, timelineTypes } from './support';
import type { Seen } from '../runtime/support';

// Replies the coordinator must not act on: duplicates, late or never-sent attempts, unknown sagas,
// and bytes that are no reply at all. None moves a saga, none stops the coordinator.

const h = fileHarness();

/** The state minus what an ignored reply may touch (the timeline, the version, updatedAt). */
const essence = (s: SagaState) => ({ ...s, version: 0, updatedAt: 0, timeline: [] });
const ignoredDetails = (s: SagaState, from: number) => s.timeline.slice(from).map((e) => `${e.type} ${e.step}/${e.kind ?? '-'}#${e.attempt ?? '-'} ${e.detail ?? ''}`.trim());

async function counter(metrics: CoordinatorMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name) as { values: Array<{ value: number; labels: Record<string, string> }> } | undefined;
  const found = metric?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return found?.value ?? 0;
}

it('ignores duplicate replies, replies for attempts never sent, for unknown steps and unknown sagas', async () => {
  const n = names('dup');
  const saga = defineSaga({ name: n.name, trigger: n.trigger, sagaId: sagaIdFromTrigger, steps: steps(n, ['a', 'b', 'c']) });
  const ledger = new Ledger();
  const bMayFinish = gate();
  h.defer(bMayFinish.open);
  await h.worker(ledgerParticipant(`${n.agent}-b`, saga, ledger, () => bMayFinish.promise, { only: (t) => t === n.t('b') }));
  await h.worker(ledgerParticipant(n.agent, saga, ledger, undefined, { only: (t) => t !== n.t('b') }));
  const store = h.store();
  const metrics = new CoordinatorMetrics();
  const replies = await h.watch([SAGA_REPLIES_TOPIC]);
  const coordinator = await h.coordinator({ sagas: [saga], store, metrics });
  const id = `${n.name}-1`;
  await h.trigger(n.trigger, [{ id }]);

  // The saga waits on b (held by its participant); a's reply was applied.
  const waiting = await sagaWhere(store, id, (s) => s.inFlight?.step === 1, 'to wait on step b');
  await replies.until((seen) => seen.some((s) => s.key === id), "a's reply");
  const realA = replies.seen.find((s) => s.key === id)!;
  expect(realA.headers[Header.sagaStep]).toBe('a');
  const fake = (over: Partial<SagaReplyRecord>): SagaReplyRecord => ({
    sagaId: id,
    sagaType: n.name,
    step: 'a',
    kind: 'EXECUTE',
    attempt: 1,
    outcome: 'SUCCEEDED',
    data: null,
    errorKind: null,
    error: null,
    repliedAt: Date.now(),
    ...over,
  });
  const copy = (s: Seen) => ({ key: s.key, value: s.value, headers: s.headers });
  await h.produce(SAGA_REPLIES_TOPIC, [
    copy(realA),
    copy(realA),
    { key: id, value: JSON.stringify(fake({ attempt: 5 })) }, // an attempt of a never sent
    { key: id, value: JSON.stringify(fake({ step: 'b', attempt: 9, outcome: 'FAILED', errorKind: 'PERMANENT', error: 'forged' })) }, // would compensate if believed
    { key: id, value: JSON.stringify(fake({ step: 'zz' })) }, // no such step
  ]);
  const midway = await sagaWhere(store, id, (s) => s.timeline.length >= waiting.timeline.length + 5, 'to record five ignored replies');
  expect(ignoredDetails(midway, waiting.timeline.length).sort()).toEqual(
    [
      'REPLY_IGNORED a/execute#1 duplicate succeeded reply',
      'REPLY_IGNORED a/execute#1 duplicate succeeded reply',
      'REPLY_IGNORED a/execute#5 not-waiting succeeded reply',
      'REPLY_IGNORED b/execute#9 not-waiting failed reply',
      'REPLY_IGNORED zz/execute#1 unknown-step succeeded reply',
    ].sort(),
  );
  expect(essence(midway)).toEqual(essence(waiting));

  // A reply for a saga nobody started: consumed (its offset committed), nothing created.
  const ghost = `${n.name}-ghost`;
  const [meta] = await h.produce(SAGA_REPLIES_TOPIC, [{ key: ghost, value: JSON.stringify(fake({ sagaId: ghost })) }]);
  expect(meta!.partition).toBe(homePartitionOf(ghost, SAGA_REPLY_PARTITIONS));
  await eventually(async () => ((await h.committed(coordinator.groupId, SAGA_REPLIES_TOPIC, meta!.partition)) > Number(meta!.baseOffset) ? true : undefined), 'the ghost reply to be consumed');
  expect(await store.load(ghost)).toBeUndefined();
  expect(await counter(metrics, 'mesh_saga_replies_total', { disposition: 'unknown-saga' })).toBeGreaterThanOrEqual(1);

  // The saga goes on as if nothing happened.
  bMayFinish.open();
  const done = await sagaIn(store, id, ['completed', 'compensated', 'compensation_failed', 'forward_failed']);
  expect(done.status).toBe('completed');
  expect(ledger.calls(id)).toEqual(['a', 'b', 'c']);

  // Every real reply again, after the end: recorded as duplicates, nothing moves.
  // The participant's replies, each once (the copies above repeat a's event id; the forged ones have none).
  const realReplies = () => [...new Map(replies.seen.filter((s) => s.key === id && s.headers[Header.eventId]).map((s) => [s.headers[Header.eventId], s])).values()];
  await replies.until(() => realReplies().length >= 3, 'the three real replies');
  const real = realReplies();
  expect(real.map((s) => s.headers[Header.sagaStep])).toEqual(['a', 'b', 'c']);
  await h.produce(SAGA_REPLIES_TOPIC, real.map(copy));
  const after = await sagaWhere(store, id, (s) => s.timeline.length >= done.timeline.length + 3, 'to record three duplicates');
  expect(ignoredDetails(after, done.timeline.length)).toEqual([
    'REPLY_IGNORED a/execute#1 duplicate succeeded reply',
    'REPLY_IGNORED b/execute#1 duplicate succeeded reply',
    'REPLY_IGNORED c/execute#1 duplicate succeeded reply',
  ]);
  expect(essence(after)).toEqual(essence(done));
  expect(ledger.calls(id)).toEqual(['a', 'b', 'c']);
  expect(timelineTypes(after).filter((t) => t === 'STEP_STARTED')).toHaveLength(3);
});

it('dead-letters bytes that are no reply, a trigger it cannot decode and one its saga cannot start from, and keeps running', async () => {
  const n = names('dlq');
  const saga = defineSaga({ name: n.name, trigger: n.trigger, sagaId: sagaIdFromTrigger, steps: steps(n, ['a', 'b']) });
  const ledger = new Ledger();
  await h.worker(ledgerParticipant(n.agent, saga, ledger));
  const store = h.store();
  const coordinator = await h.coordinator({ sagas: [saga], store, groupId: n.group });
  const dlqTopic = `${n.group}.dlq`;
  const dlq = await h.watch([dlqTopic]);

  const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x42]);
  const notAReply = Buffer.from(JSON.stringify({ hello: 'world' }));
  await h.produce(SAGA_REPLIES_TOPIC, [
    { key: `${n.name}-junk`, value: garbage },
    { key: `${n.name}-junk`, value: notAReply },
  ]);
  // On one partition, in this order: undecodable, then valid JSON the saga's sagaId hook throws on, then a good one.
  const id = `${n.name}-1`;
  await h.produce(n.trigger, [
    { key: 'bad', value: Buffer.from('{"id": "unterminated'), partition: 0 },
    { key: 'null', value: Buffer.from('null'), partition: 0 },
    { key: id, value: JSON.stringify({ id }), partition: 0 },
  ]);

  const fromTrigger = (seen: Seen[]) => seen.filter((s) => s.headers[Header.originalTopic] === n.trigger);
  await dlq.until((seen) => seen.filter((s) => s.key === `${n.name}-junk`).length >= 2 && fromTrigger(seen).length >= 2, 'four dead letters', 20_000);
  const junk = dlq.seen.filter((s) => s.key === `${n.name}-junk`);
  expect(junk.map((s) => s.value)).toEqual([garbage, notAReply]);
  for (const s of junk) expect(s.headers).toMatchObject({ [Header.errorKind]: 'invalid-input', [Header.agent]: coordinator.groupId, [Header.originalTopic]: SAGA_REPLIES_TOPIC });
  expect(junk[1]!.headers[Header.errorMessage]).toContain('not a saga reply');
  // (A batch of triggers is started side by side: their dead letters come in any order.)
  const atOffset = (offset: string) => fromTrigger(dlq.seen).find((s) => s.headers[Header.originalOffset] === offset);
  const [undecodable, unstartable] = [atOffset('0'), atOffset('1')];
  expect(undecodable!.value!.toString()).toBe('{"id": "unterminated');
  expect(undecodable!.headers).toMatchObject({ [Header.errorKind]: 'invalid-input', [Header.originalOffset]: '0', [Header.originalPartition]: '0' });
  expect(unstartable!.value!.toString()).toBe('null');
  expect(unstartable!.headers).toMatchObject({ [Header.errorKind]: 'permanent', [Header.errorClass]: 'TypeError', [Header.originalOffset]: '1' });

  // Still running, and the partition is not blocked: the good trigger behind the bad ones runs to completion.
  expect((await sagaIn(store, id, ['completed', 'compensated'])).status).toBe('completed');
  expect(ledger.calls(id)).toEqual(['a', 'b']);
  expect(await store.countByStatus()).toMatchObject({ completed: 1, running: 0 });
  const id2 = `${n.name}-2`;
  await h.trigger(n.trigger, [{ id: id2 }]);
  expect((await sagaIn(store, id2, ['completed', 'compensated'])).status).toBe('completed');
});

// A coordinator re-sends in-flight commands on takeover, so a copy can land right behind its original, in the same
// batch of the participant's worker: the first copy decides, the second is a duplicate.
it('a command delivered twice back to back (a re-send behind its original) takes effect once', async () => {
  const n = names('twice');
  const saga = defineSaga({ name: n.name, trigger: n.trigger, steps: steps(n, ['a']) });
  const ledger = new Ledger();
  const worker = await h.worker(ledgerParticipant(n.agent, saga, ledger));
  const id = `${n.name}-1`;
  const command = {
    key: id,
    value: JSON.stringify({ id }),
    headers: {
      [Header.eventId]: `${id}-a-execute-1`,
      [Header.sagaId]: id,
      [Header.sagaType]: n.name,
      [Header.sagaStep]: 'a',
      [Header.sagaKind]: 'execute',
      [Header.sagaAttempt]: '1',
      [Header.sagaDeadlineAt]: String(Date.now() + 60_000),
    },
  };
  const [meta] = await h.produce(n.t('a'), [command, command]);
  // Both copies consumed (the participant's offset is past the second), whatever became of them.
  await eventually(async () => ((await h.committed(worker.agent, n.t('a'), meta!.partition)) >= Number(meta!.baseOffset) + 2 ? true : undefined), 'both copies to be consumed');
  expect(ledger.calls(id)).toEqual(['a']);
});
