import { SagaDefinitionError } from '../errors';
import type { Saga, SagaDefinition, SagaRetryPolicy, SagaStep, SagaStepDefinition } from './types';

export const DEFAULT_STEP_TIMEOUT_MS = 30_000;
export const DEFAULT_STEP_RETRY: SagaRetryPolicy = { delaysMs: [1_000, 5_000], maxAttempts: 3, jitter: 0.2 };
export const DEFAULT_COMPENSATION_RETRY: SagaRetryPolicy = {
  delaysMs: [200, 400, 800, 1_600, 3_200, 6_400, 12_800, 30_000],
  maxAttempts: 8,
  jitter: 0.2,
};

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$/;
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
/** Topics the coordinator itself owns: a step sending to them would feed the coordinator its own commands. */
const RESERVED_TOPICS = new Set(['saga.replies', 'saga.events', 'saga.stuck', 'saga.signals']);

function checkPolicy(where: string, policy: SagaRetryPolicy, problems: string[]): void {
  if (!Array.isArray(policy.delaysMs) || !policy.delaysMs.every((d) => Number.isFinite(d) && d >= 0)) problems.push(`${where}.delaysMs must be non-negative numbers`);
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) problems.push(`${where}.maxAttempts must be a whole number >= 1`);
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) problems.push(`${where}.jitter must be between 0 and 1`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A wait step's checked settings; `afterPivot`: the saga can no longer be compensated when it reaches the step. */
function checkWait(where: string, s: SagaStepDefinition, afterPivot: boolean, problems: string[]): SagaStep['wait'] {
  const wait = s.wait!;
  if (!(Number.isFinite(wait?.timeoutMs) && wait.timeoutMs > 0)) problems.push(`${where}: wait.timeoutMs must be positive`);
  const onTimeout = wait?.onTimeout;
  if (onTimeout === 'compensate') {
    if (afterPivot) problems.push(`${where}: wait.onTimeout cannot be 'compensate' after the pivot step (nothing is compensated past it)`);
  } else if (!isPlainObject(onTimeout) || (onTimeout.continueWith !== undefined && !isPlainObject(onTimeout.continueWith))) {
    problems.push(`${where}: wait.onTimeout must be 'compensate' or { continueWith?: an object merged into the data }`);
  }
  if (s.compensation !== undefined) problems.push(`${where}: a wait step has nothing to compensate (drop compensation)`);
  if (s.retry !== undefined) problems.push(`${where}: a wait step is not retried (drop retry)`);
  const timeout = isPlainObject(onTimeout) ? { continueWith: { ...(onTimeout.continueWith ?? {}) } } : 'compensate';
  return Object.freeze({ timeoutMs: wait?.timeoutMs, onTimeout: timeout });
}

/**
 * Checks a saga definition and fills in defaults. Every mistake is reported
 * at once, when the coordinator loads the saga.
 */
export function defineSaga<Trigger = unknown, Data = unknown>(def: SagaDefinition<Trigger, Data>): Saga<Trigger, Data> {
  const problems: string[] = [];
  if (typeof def.name !== 'string' || !NAME.test(def.name)) problems.push(`name '${String(def.name)}' must be 1-101 of [a-zA-Z0-9_.-]`);
  if (typeof def.trigger !== 'string' || !TOPIC.test(def.trigger)) problems.push(`trigger '${String(def.trigger)}' is not a legal topic name`);
  else if (RESERVED_TOPICS.has(def.trigger)) problems.push(`trigger '${def.trigger}' is a topic of the coordinator's own`);
  if (!Array.isArray(def.steps) || def.steps.length === 0) problems.push('steps must list at least one step');
  const sagaCompensation: SagaRetryPolicy = { ...DEFAULT_COMPENSATION_RETRY, ...def.compensationRetry };
  checkPolicy('compensationRetry', sagaCompensation, problems);
  const seen = new Set<string>();
  let pivots = 0;
  const steps: SagaStep[] = (def.steps ?? []).map((s, index) => {
    const where = `step ${index} ('${String(s?.name)}')`;
    if (typeof s?.name !== 'string' || !NAME.test(s.name)) problems.push(`${where}: name must be 1-101 of [a-zA-Z0-9_.-]`);
    else if (seen.has(s.name)) problems.push(`${where}: name is used by an earlier step`);
    else seen.add(s.name);
    for (const [field, topic] of [
      ['command', s?.command],
      ['compensation', s?.compensation],
    ] as const) {
      if (topic === undefined && (field === 'compensation' || s?.wait !== undefined)) continue;
      if (typeof topic !== 'string' || !TOPIC.test(topic)) problems.push(`${where}: ${field} '${String(topic)}' is not a legal topic name`);
      else if (RESERVED_TOPICS.has(topic) || topic === def.trigger) problems.push(`${where}: ${field} '${topic}' is the trigger or a coordinator topic`);
    }
    const timeoutMs = s?.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) problems.push(`${where}: timeoutMs must be positive`);
    const compensationTimeoutMs = s?.compensationTimeoutMs ?? timeoutMs;
    if (!(Number.isFinite(compensationTimeoutMs) && compensationTimeoutMs > 0)) problems.push(`${where}: compensationTimeoutMs must be positive`);
    const retry: SagaRetryPolicy = { ...DEFAULT_STEP_RETRY, ...s?.retry, delaysMs: [...(s?.retry?.delaysMs ?? DEFAULT_STEP_RETRY.delaysMs)] };
    checkPolicy(`${where}: retry`, retry, problems);
    const compensationRetry: SagaRetryPolicy = { ...sagaCompensation, ...s?.compensationRetry, delaysMs: [...(s?.compensationRetry?.delaysMs ?? sagaCompensation.delaysMs)] };
    checkPolicy(`${where}: compensationRetry`, compensationRetry, problems);
    if (s?.pivot) pivots += 1;
    const wait = s?.wait === undefined ? undefined : checkWait(where, s, pivots > 0 && !s.pivot, problems);
    return Object.freeze({
      name: s?.name,
      index,
      command: s?.command,
      wait,
      compensation: s?.compensation,
      timeoutMs,
      retry,
      compensationRetry,
      compensationTimeoutMs,
      pivot: s?.pivot === true,
    });
  });
  if (pivots > 1) problems.push('at most one step can be the pivot');
  if (def.sagaId !== undefined && typeof def.sagaId !== 'function') problems.push('sagaId must be a function');
  if (def.start !== undefined && typeof def.start !== 'function') problems.push('start must be a function');
  if (problems.length > 0) throw new SagaDefinitionError(`saga '${String(def.name)}': ${problems.join('; ')}`);
  // Declared as methods (so a saga of a narrower trigger type still counts as a Saga), but plain functions: the coordinator calls them unbound.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  return Object.freeze({ name: def.name, trigger: def.trigger, steps: Object.freeze(steps), sagaId: def.sagaId, start: def.start });
}
