import type { EncodedData, SagaState } from './state';
import type { Saga } from './types';

export interface NewSaga {
  id: string;
  homePartition: number;
  now: number;
  trigger: SagaState['trigger'];
  correlationId: string;
  traceparent?: string;
  data: EncodedData;
}

/** The topic whose encoding a new saga's data takes: its first step's command (the first with one; wait steps may have none), else the trigger's. */
export function startDataTopic(saga: Saga): string {
  return saga.steps.find((s) => s.command !== undefined)?.command ?? saga.trigger;
}

/** A saga as its trigger creates it: nothing sent yet, due at once (the owner of its partition sends the first step). */
export function newSagaState(saga: Saga, init: NewSaga): SagaState {
  return {
    id: init.id,
    type: saga.name,
    version: 0,
    status: 'running',
    homePartition: init.homePartition,
    startedAt: init.now,
    updatedAt: init.now,
    trigger: init.trigger,
    correlationId: init.correlationId,
    ...(init.traceparent ? { traceparent: init.traceparent } : {}),
    data: init.data,
    steps: saga.steps.map((s) => ({ name: s.name, status: 'pending', attempts: 0, compensationAttempts: 0, mayHaveTakenEffect: false })),
    inFlight: null,
    wakeAt: init.now,
    pivotPassed: false,
    timeline: [{ at: init.now, type: 'STARTED', detail: `trigger ${init.trigger.topic}[${init.trigger.partition}]@${init.trigger.offset}` }],
  };
}
