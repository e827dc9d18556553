import { SagaDefinitionError } from '../errors';
import { DEFAULT_COMPENSATION_RETRY, DEFAULT_STEP_RETRY, DEFAULT_STEP_TIMEOUT_MS, defineSaga } from './define';
import type { SagaDefinition, SagaStepDefinition } from './types';

const def = (over: Partial<SagaDefinition> = {}): SagaDefinition => ({
  name: 'order',
  trigger: 'orders.placed',
  steps: [
    { name: 'reserve', command: 'inventory.reserve', compensation: 'inventory.release' },
    { name: 'charge', command: 'payments.charge', compensation: 'payments.refund', pivot: true },
    { name: 'notify', command: 'mail.send' },
  ],
  ...over,
});

/** The problems a definition is rejected for, one per entry. */
function problemsOf(d: SagaDefinition): string[] {
  try {
    defineSaga(d);
  } catch (e) {
    expect(e).toBeInstanceOf(SagaDefinitionError);
    const message = (e as Error).message;
    expect(message.startsWith(`saga '${String(d.name)}': `)).toBe(true);
    return message.slice(`saga '${String(d.name)}': `.length).split('; ');
  }
  throw new Error('the definition was accepted');
}

describe('defineSaga', () => {
  it('fills in every default', () => {
    const saga = defineSaga(def());
    expect(saga.name).toBe('order');
    expect(saga.trigger).toBe('orders.placed');
    expect(saga).toMatchObject({ sagaId: undefined, start: undefined });
    expect(saga.steps).toEqual([
      {
        name: 'reserve',
        index: 0,
        command: 'inventory.reserve',
        compensation: 'inventory.release',
        timeoutMs: DEFAULT_STEP_TIMEOUT_MS,
        retry: DEFAULT_STEP_RETRY,
        compensationRetry: DEFAULT_COMPENSATION_RETRY,
        compensationTimeoutMs: DEFAULT_STEP_TIMEOUT_MS,
        pivot: false,
      },
      expect.objectContaining({ name: 'charge', index: 1, pivot: true }),
      expect.objectContaining({ name: 'notify', index: 2, compensation: undefined, pivot: false }),
    ]);
    expect(DEFAULT_STEP_TIMEOUT_MS).toBe(30_000);
    expect(DEFAULT_STEP_RETRY).toEqual({ delaysMs: [1_000, 5_000], maxAttempts: 3, jitter: 0.2 });
    expect(DEFAULT_COMPENSATION_RETRY.maxAttempts).toBe(8);
    expect(DEFAULT_COMPENSATION_RETRY.delaysMs[0]).toBe(200);
  });

  it('merges partial policies over the defaults, step over saga over built-in', () => {
    const saga = defineSaga(
      def({
        compensationRetry: { maxAttempts: 4 },
        steps: [
          { name: 'a', command: 'a.do', compensation: 'a.undo', timeoutMs: 500, retry: { maxAttempts: 5 } },
          { name: 'b', command: 'b.do', compensation: 'b.undo', compensationRetry: { jitter: 0 }, compensationTimeoutMs: 90 },
        ],
      }),
    );
    const [a, b] = saga.steps;
    expect(a?.timeoutMs).toBe(500);
    expect(a?.compensationTimeoutMs).toBe(500); // defaults to the step's own timeout
    expect(a?.retry).toEqual({ ...DEFAULT_STEP_RETRY, maxAttempts: 5 });
    expect(a?.compensationRetry).toEqual({ ...DEFAULT_COMPENSATION_RETRY, maxAttempts: 4 });
    expect(b?.timeoutMs).toBe(DEFAULT_STEP_TIMEOUT_MS);
    expect(b?.compensationTimeoutMs).toBe(90);
    expect(b?.compensationRetry).toEqual({ ...DEFAULT_COMPENSATION_RETRY, maxAttempts: 4, jitter: 0 });
  });

  it('keeps the sagaId and start functions and freezes what it returns', () => {
    const sagaId = (): string => 'id';
    const start = (): string => 'data';
    const saga = defineSaga<unknown, string>({ ...def(), sagaId, start });
    expect(saga).toMatchObject({ sagaId, start });
    expect(Object.isFrozen(saga)).toBe(true);
    expect(Object.isFrozen(saga.steps)).toBe(true);
    expect(Object.isFrozen(saga.steps[0])).toBe(true);
  });

  it('accepts a definition without a pivot, and empty delay lists', () => {
    expect(() => defineSaga(def({ steps: [{ name: 'only', command: 'x.do', retry: { delaysMs: [] } }] }))).not.toThrow();
  });

  it('lists every mistake at once', () => {
    const problems = problemsOf(
      def({
        steps: [
          { name: 'a', command: 'a.do', pivot: true },
          { name: 'a', command: 'bad topic!', pivot: true },
          { name: 'c', command: 'orders.placed', compensation: 'saga.replies' },
          { name: 'd', command: 'd.do', retry: { maxAttempts: 0, jitter: 2, delaysMs: [-1] } },
        ],
      }),
    );
    expect(problems).toEqual([
      "step 1 ('a'): name is used by an earlier step",
      "step 1 ('a'): command 'bad topic!' is not a legal topic name",
      "step 2 ('c'): command 'orders.placed' is the trigger or a coordinator topic",
      "step 2 ('c'): compensation 'saga.replies' is the trigger or a coordinator topic",
      "step 3 ('d'): retry.delaysMs must be non-negative numbers",
      "step 3 ('d'): retry.maxAttempts must be a whole number >= 1",
      "step 3 ('d'): retry.jitter must be between 0 and 1",
      'at most one step can be the pivot',
    ]);
  });

  it.each(['saga.replies', 'saga.events', 'saga.stuck'])("rejects the coordinator's own topic %s as trigger, command or compensation", (topic) => {
    expect(problemsOf(def({ trigger: topic }))).toEqual([`trigger '${topic}' is a topic of the coordinator's own`]);
    expect(problemsOf(def({ steps: [{ name: 's', command: topic }] }))).toEqual([`step 0 ('s'): command '${topic}' is the trigger or a coordinator topic`]);
    expect(problemsOf(def({ steps: [{ name: 's', command: 's.do', compensation: topic }] }))).toEqual([`step 0 ('s'): compensation '${topic}' is the trigger or a coordinator topic`]);
  });

  const oneStep = (over: Partial<SagaStepDefinition>): Partial<SagaDefinition> => ({ steps: [{ name: 's', command: 's.do', compensation: 's.undo', ...over }] });
  it.each<[string, Partial<SagaDefinition>, string]>([
    ['a bad saga name', { name: '-order' }, "name '-order' must be 1-101 of [a-zA-Z0-9_.-]"],
    ['a bad trigger', { trigger: 'orders placed' }, "trigger 'orders placed' is not a legal topic name"],
    ['no steps', { steps: [] }, 'steps must list at least one step'],
    ['a bad step name', oneStep({ name: 'a b' }), "step 0 ('a b'): name must be 1-101 of [a-zA-Z0-9_.-]"],
    ['a bad compensation topic', oneStep({ compensation: '' }), "step 0 ('s'): compensation '' is not a legal topic name"],
    ['the trigger as compensation', oneStep({ compensation: 'orders.placed' }), "step 0 ('s'): compensation 'orders.placed' is the trigger or a coordinator topic"],
    ['a zero timeout', oneStep({ timeoutMs: 0, compensationTimeoutMs: 100 }), "step 0 ('s'): timeoutMs must be positive"],
    ['a negative compensation timeout', oneStep({ compensationTimeoutMs: -5 }), "step 0 ('s'): compensationTimeoutMs must be positive"],
    ['a fractional maxAttempts', oneStep({ retry: { maxAttempts: 1.5 } }), "step 0 ('s'): retry.maxAttempts must be a whole number >= 1"],
    ['a NaN jitter', oneStep({ compensationRetry: { jitter: Number.NaN } }), "step 0 ('s'): compensationRetry.jitter must be between 0 and 1"],
    ['an infinite delay', oneStep({ retry: { delaysMs: [Infinity] } }), "step 0 ('s'): retry.delaysMs must be non-negative numbers"],
  ])('rejects %s', (_what, over, problem) => {
    expect(problemsOf(def(over))).toEqual([problem]);
  });

  it('reports a bad saga-level compensation policy (and again for each step that inherits it)', () => {
    const problems = problemsOf(def({ compensationRetry: { maxAttempts: 0 } }));
    expect(problems[0]).toBe('compensationRetry.maxAttempts must be a whole number >= 1');
    expect(problems).toHaveLength(1 + 3);
  });

  it('rejects sagaId and start that are not functions', () => {
    const bad = { ...def(), sagaId: 'x', start: 42 } as unknown as SagaDefinition;
    expect(problemsOf(bad)).toEqual(['sagaId must be a function', 'start must be a function']);
  });
});
