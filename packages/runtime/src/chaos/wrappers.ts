import type { Breaker } from '../agent/types';
import { isImmediate, type EventCodec, type ImmediateCodec } from '../codec/codec';
import { SchemaRegistryUnavailableError } from '../codec/errors';
import type { IdempotencyStore } from '../idempotency/store';
import { StoreUnavailableError } from '../redis/errors';
import type { ChaosFaults } from './faults';

/**
 * The events' codec as a process under a simulated registry outage sees it: every call fails as the
 * registry being away, so the worker holds events and pauses as it would for the real outage.
 */
export function chaosCodec(codec: EventCodec, faults: ChaosFaults): EventCodec {
  const away = () => {
    const fault = faults.outage('registry');
    return fault ? new SchemaRegistryUnavailableError('chaos', `simulated outage (command ${fault.commandId})`) : undefined;
  };
  const wrapped: EventCodec = {
    encode(topic, value) {
      const error = away();
      return error ? Promise.reject(error) : codec.encode(topic, value);
    },
    decode(topic, bytes) {
      const error = away();
      return error ? Promise.reject(error) : codec.decode(topic, bytes);
    },
  };
  if (!isImmediate(codec)) return wrapped;
  // The worker's hot path keeps the codec's immediate answers while no outage is in force.
  const immediate: ImmediateCodec = {
    ...wrapped,
    decodeNow(topic, bytes) {
      const error = away();
      if (error) throw error;
      return codec.decodeNow(topic, bytes);
    },
    encodeNow(topic, value) {
      const error = away();
      if (error) throw error;
      return codec.encodeNow(topic, value);
    },
  };
  return immediate;
}

/** The idempotency store as a process under a simulated Redis outage sees it: unreachable. */
export function chaosStore(store: IdempotencyStore, faults: ChaosFaults): IdempotencyStore {
  const guard = <T>(call: () => Promise<T>): Promise<T> => {
    const fault = faults.outage('redis');
    return fault ? Promise.reject(new StoreUnavailableError('idempotency', `simulated outage (chaos command ${fault.commandId})`)) : call();
  };
  return {
    kind: store.kind,
    claim: (agent, ids, owner, leaseMs) => guard(() => store.claim(agent, ids, owner, leaseMs)),
    complete: (agent, completions, ttlMs) => guard(() => store.complete(agent, completions, ttlMs)),
    release: (agent, ids, owner) => guard(() => store.release(agent, ids, owner)),
    forget: (agent, ids) => guard(() => store.forget(agent, ids)),
    ping: () => guard(() => store.ping()),
    identity: () => store.identity(),
    close: () => store.close(),
  };
}

/** A breaker whose calls meet the DELAY or FAIL in force for it first, inside the breaker, so its failures count. */
export function chaosBreaker(breaker: Breaker, name: string, faults: ChaosFaults): Breaker {
  return {
    execute: (call) =>
      breaker.execute((signal) => {
        const fault = faults.beforeCall({ kind: 'breaker', name }, signal);
        return fault ? fault.then(() => call(signal)) : call(signal);
      }),
  };
}
