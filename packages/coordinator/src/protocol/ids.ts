import { deriveEventId } from '@agentmesh/runtime';
import type { CommandKind } from '../saga/state';

/**
 * The mesh-event-id of a saga command. Derived from saga, step, kind and
 * attempt, so a command re-sent after a coordinator crash is the same event
 * and the participant's idempotency store lets it take effect once.
 */
export function commandEventId(sagaId: string, step: string, kind: CommandKind, attempt: number): string {
  return deriveEventId(`saga:${sagaId}`, `${step}/${kind}`, attempt);
}

/** The id of a saga started by a trigger event: a redelivered trigger maps to the same saga. */
export function sagaIdFor(sagaName: string, triggerEventId: string): string {
  return deriveEventId(`trigger:${triggerEventId}`, `saga/${sagaName}`, 0);
}
