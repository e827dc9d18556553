import type { SagaStatus } from '../saga/state';

/** Redis key layout of the saga store, under one prefix (so tests and tenants can keep apart). */
export class SagaKeys {
  constructor(readonly prefix: string = 'mesh:saga:') {}
  /** Hash: v (version), json (the state). */
  state(sagaId: string): string {
    return `${this.prefix}state:${sagaId}`;
  }
  /** Sorted set of the partition's sagas by when they are next due (start, back-off, deadline). */
  timers(partition: number): string {
    return `${this.prefix}timers:${partition}`;
  }
  /** Fencing epoch of a saga.replies partition: bumped by each instance that is assigned it. */
  epoch(partition: number): string {
    return `${this.prefix}epoch:${partition}`;
  }
  /** Sorted set of the sagas in a status, by start time (for `mesh saga ls` and purge). */
  status(status: SagaStatus): string {
    return `${this.prefix}status:${status}`;
  }
}
