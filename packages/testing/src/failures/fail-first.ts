import type { AgentDefinition } from '@agentmesh/runtime';

type Handler<In, Out> = AgentDefinition<In, Out>['handle'];

/**
 * Injects failures: `handle` wrapped so that each event's first `times` deliveries throw `error()` (by default a
 * plain Error, which the mesh treats as transient and retries). Deliveries are counted per event id.
 */
export function failFirst<In, Out>(times: number, handle: Handler<In, Out>, error: (attempt: number) => Error = (attempt) => new Error(`injected failure ${attempt} of ${times}`)): Handler<In, Out> {
  const seen = new Map<string, number>();
  return (event, ctx) => {
    const delivery = (seen.get(event.eventId) ?? 0) + 1;
    seen.set(event.eventId, delivery);
    if (delivery <= times) throw error(delivery);
    return handle(event, ctx);
  };
}
