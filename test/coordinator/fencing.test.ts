import { Header } from '@agentmesh/runtime';
import { newSagaState } from '../../packages/coordinator/src/saga/create';
import { defineSaga, type SagaState } from './imports';
import { eventually } from '../support/kafka';
import { allFinished, fileHarness, homePartitionOf, idOnPartition, Ledger, ledgerParticipant, names, sagaIdFromTrigger, sagaIn, SAGA_REPLY_PARTITIONS, steps, timelineTypes } from './support';

// Fencing: an instance whose partition was claimed by someone else (a newer epoch) can no longer
// write that partition's sagas, so it cannot send their commands either.

const h = fileHarness();

describe('SagaStore.save', () => {
  it('writes only with the partition’s current epoch and the version it read', async () => {
    const n = names('fence-store');
    const store = h.store(n.prefix);
    const saga = defineSaga({ name: n.name, trigger: n.trigger, steps: steps(n, ['a']) });
    const id = `${n.name}-1`;
    const partition = homePartitionOf(id, SAGA_REPLY_PARTITIONS);
    const created = newSagaState(saga, {
      id,
      homePartition: partition,
      now: 1_000,
      trigger: { topic: n.trigger, partition: 0, offset: '0', eventId: 'e' },
      correlationId: 'c',
      data: { topic: n.t('a'), bytes: '' },
    });
    expect(await store.create(created)).toBe(true);
    expect(await store.create(created)).toBe(false); // a redelivered trigger creates nothing

    const mine = await store.claimPartition(partition);
    const next = (from: SagaState, status: SagaState['status']): SagaState => ({ ...structuredClone(from), status, updatedAt: from.updatedAt + 1 });
    const v1 = next(created, 'running');
    expect(await store.save(created, v1, mine)).toBe('ok');
    expect(v1.version).toBe(1);
    expect(await store.save(created, next(created, 'compensating'), mine)).toBe('conflict'); // read an old version

    // Another instance takes the partition: our fence is stale, whatever we write.
    const theirs = await store.claimPartition(partition);
    expect(theirs.epoch).toBe(mine.epoch + 1);
    expect(await store.save(v1, next(v1, 'completed'), mine)).toBe('fenced');
    expect(await store.load(id)).toEqual(v1);
    // Fenced even when the write would also conflict: the fence is checked first.
    expect(await store.save(created, next(created, 'completed'), mine)).toBe('fenced');
    // The new owner writes; an operator's unfenced write (a resume) only needs the version.
    const v2 = next(v1, 'compensation_failed');
    v2.wakeAt = null;
    expect(await store.save(v1, v2, theirs)).toBe('ok');
    expect(await store.countByStatus()).toMatchObject({ running: 0, compensation_failed: 1 });
    expect(await store.requestResume(id, 5_000)).toMatchObject({ resumeRequestedAt: 5_000, wakeAt: 5_000, version: 3 });
    expect(await store.due(partition, 5_000, 10)).toEqual([id]);
    const gone = { ...v2, id: `${n.name}-gone` };
    expect(await store.save(gone, next(gone, 'completed'), theirs)).toBe('missing');
  });
});

describe('two coordinators of one group', () => {
  it('an instance fenced off a partition sends nothing more for its sagas; the partition’s next owner finishes them', async () => {
    const n = names('fence');
    const saga = defineSaga({ name: n.name, trigger: n.trigger, sagaId: sagaIdFromTrigger, steps: steps(n, ['a', 'b']) });
    const ledger = new Ledger();
    await h.worker(ledgerParticipant(n.agent, saga, ledger));
    const store = h.store(n.prefix);
    const commands = await h.watch([n.t('a'), n.t('b')]);
    const a = await h.coordinator({ sagas: [saga], store, groupId: n.group, instanceId: 'A' });
    const b = await h.coordinator({ sagas: [saga], store: h.store(n.prefix), groupId: n.group, instanceId: 'B' });
    // After the rebalance both own some partitions of saga.replies, and no partition twice.
    await eventually(
      () => {
        const [pa, pb] = [a.ownedPartitions(), b.ownedPartitions()];
        return pa.length > 0 && pb.length > 0 && pa.length + pb.length === SAGA_REPLY_PARTITIONS && pa.every((p) => !pb.includes(p)) ? true : undefined;
      },
      'both instances to own partitions',
      20_000,
    );
    const fenced = a.ownedPartitions()[0]!;
    const kept = a.ownedPartitions().find((p) => p !== fenced);

    // Someone else claims A's partition (as a new owner would after a rebalance A has not seen yet).
    await store.claimPartition(fenced);
    const victim = idOnPartition(n, fenced, 'victim');
    const control = [...b.ownedPartitions(), ...(kept === undefined ? [] : [kept])].map((p) => idOnPartition(n, p, 'control'));
    await h.trigger(n.trigger, [{ id: victim }, ...control.map((id) => ({ id }))]);

    // A tries to drive the victim, is refused, and lets the partition go; the others run normally.
    await eventually(() => (a.ownedPartitions().includes(fenced) ? undefined : true), 'A to drop the fenced partition');
    const done = await allFinished(store, control);
    expect(done.every((s) => s.status === 'completed')).toBe(true);
    const stale = await store.load(victim);
    expect(stale).toMatchObject({ status: 'running', version: 0, inFlight: null });
    expect(timelineTypes(stale!)).toEqual(['STARTED']);
    expect(commands.seen.filter((s) => s.headers[Header.sagaId] === victim)).toEqual([]);
    expect(ledger.calls(victim)).toEqual([]);
    expect(b.ownedPartitions()).not.toContain(fenced);

    // B leaves: the group gives A every partition again, with a fresh claim, and the victim is finished.
    await b.stop();
    await eventually(() => (a.ownedPartitions().length === SAGA_REPLY_PARTITIONS ? true : undefined), 'A to own every partition', 20_000);
    const finished = await sagaIn(store, victim, ['completed', 'compensated', 'compensation_failed', 'forward_failed']);
    expect(finished.status).toBe('completed');
    expect(ledger.calls(victim)).toEqual(['a', 'b']);
    expect(commands.seen.filter((s) => s.headers[Header.sagaId] === victim)).toHaveLength(2);
  });
});
