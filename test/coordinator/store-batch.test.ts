import { defineSaga, SagaStore } from './imports';
import { newSagaState } from '../../packages/coordinator/src/saga/create';
import type { SagaState } from '../../packages/coordinator/src/saga/state';
import { uniqueName } from '../support/kafka';
import { quiet } from '../runtime/support';
import { TEST_REDIS_URL } from '../support/redis';

// The store sends the creates and saves asked for in one turn as one script call (group commit): each saga's
// write must still be checked and applied on its own, on the real Redis.
describe('SagaStore: creates and saves of one turn, in one call', () => {
  const store = SagaStore.connect(TEST_REDIS_URL, quiet, { keyPrefix: `${uniqueName('batch')}:` });
  afterAll(() => store.close());
  const saga = defineSaga({ name: 'order', trigger: 'orders', steps: [{ name: 'a', command: 'a.do' }] });
  const stateOf = (id: string, homePartition = 0): SagaState =>
    newSagaState(saga, {
      id,
      homePartition,
      now: 1_000,
      trigger: { topic: 'orders', partition: 0, offset: id, eventId: `e-${id}` },
      correlationId: 'c',
      data: { topic: 'a.do', bytes: '' },
    });

  it('creates each saga once, and answers a saga seen before as such, in the same call', async () => {
    const first = await Promise.all(['s-1', 's-2', 's-3'].map((id) => store.create(stateOf(id))));
    expect(first).toEqual([true, true, true]);
    const again = await Promise.all([store.create(stateOf('s-2')), store.create(stateOf('s-4'))]);
    expect(again).toEqual([false, true]);
    expect(await store.scheduled(0)).toEqual(expect.arrayContaining(['s-1', 's-2', 's-3', 's-4']));
  });

  it('applies each save on its own: ok, a stale version is a conflict, a missing saga is missing, a lost fence is fenced', async () => {
    const [a, b] = await Promise.all([stateOf('v-a'), stateOf('v-b')].map(async (s) => (await store.create(s), s)));
    const c = stateOf('v-c', 1);
    await store.create(c);
    const fence = await store.claimPartition(0);
    const staleFence = { partition: 1, epoch: -1 };
    const answers = await Promise.all([
      store.save(a!, { ...a!, status: 'completed', wakeAt: null }, fence),
      store.save({ ...b!, version: 7 }, { ...b!, status: 'completed' }, fence),
      store.save(stateOf('never-created'), stateOf('never-created'), fence),
      store.save(c, { ...c, status: 'completed' }, staleFence),
    ]);
    expect(answers).toEqual(['ok', 'conflict', 'missing', 'fenced']);
    expect((await store.load('v-a'))?.status).toBe('completed');
    expect((await store.load('v-b'))?.status).toBe('running');
    expect((await store.load('v-c'))?.status).toBe('running');
    expect(await store.scheduled(0)).not.toContain('v-a');
  });

  it('two saves of one saga in the same turn: the first wins, the second meets a conflict, as one after the other would', async () => {
    const s = stateOf('twice');
    await store.create(s);
    const answers = await Promise.all([store.save(s, { ...s, updatedAt: 2_000 }, null), store.save(s, { ...s, updatedAt: 3_000 }, null)]);
    expect(answers).toEqual(['ok', 'conflict']);
    expect((await store.load('twice'))?.updatedAt).toBe(2_000);
  });
});
