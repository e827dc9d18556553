import { defineSaga, SagaStore } from './imports';
import { newSagaState } from '../../packages/coordinator/src/saga/create';
import { uniqueName } from '../support/kafka';
import { quiet } from '../runtime/support';
import { TEST_REDIS_URL } from '../support/redis';

// `mesh saga ls` and the tests read sagas through the status indexes while sagas move between them.
describe('SagaStore.list', () => {
  const store = SagaStore.connect(TEST_REDIS_URL, quiet, { keyPrefix: `${uniqueName('list')}:` });
  afterAll(() => store.close());

  it('lists a saga met in two status indexes once, with its current status, and only under the statuses asked for', async () => {
    const saga = defineSaga({ name: 'order', trigger: 'orders', steps: [{ name: 'a', command: 'a.do' }] });
    const state = newSagaState(saga, {
      id: 'o-1',
      homePartition: 0,
      now: 1_000,
      trigger: { topic: 'orders', partition: 0, offset: '0', eventId: 'e' },
      correlationId: 'c',
      data: { topic: 'a.do', bytes: '' },
    });
    expect(await store.create(state)).toBe(true);
    expect(await store.save(state, { ...state, status: 'completed', wakeAt: null, finishedAt: 2_000 }, null)).toBe('ok');
    // As a reader between the two index updates would see it: still in `running`, already in `completed`.
    await store.redis.zadd(store.keys.status('running'), 1_000, 'o-1');

    const all = await store.list({});
    expect(all.map((s) => [s.id, s.status])).toEqual([['o-1', 'completed']]);
    expect(await store.list({ statuses: ['running'] })).toEqual([]);
    expect((await store.list({ statuses: ['completed'] })).map((s) => s.id)).toEqual(['o-1']);
  });
});
