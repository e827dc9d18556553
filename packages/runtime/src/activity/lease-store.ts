import { StoreError, type StoreName } from '../redis/errors';

/** Who holds an agent's active lease, and its fencing token (grows with every new holder). */
export interface LeaseHolder {
  instanceId: string;
  token: number;
}

/**
 * What a store-side write of an active instance carries, so the store refuses it once another instance
 * holds the lease (a fencing token check, atomic with the write).
 */
export interface StoreFence {
  /** The agent's lease key (Redis: same hash slot as the agent's other keys). */
  readonly leaseKey: string;
  /** The lease's value while this instance holds it. */
  readonly holder: string;
}

/** Where active-passive agents keep their leases. */
export interface ActiveLeaseStore {
  readonly kind: 'redis' | 'memory';
  /**
   * Takes the lease when nobody holds it (a new, larger fencing token) or when this instance already does
   * (its token, renewed); otherwise says who holds it.
   */
  acquire(agent: string, instanceId: string, ttlMs: number): Promise<{ acquired: true; token: number } | { acquired: false; holder: LeaseHolder }>;
  /** Extends the lease while `instanceId` holds it with `token`; false when it does not any more. */
  renew(agent: string, instanceId: string, token: number, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (a clean stop), if still held with `token`. */
  release(agent: string, instanceId: string, token: number): Promise<void>;
  /** The current holder, if any. */
  holder(agent: string): Promise<LeaseHolder | undefined>;
  /** The fence a store-side write carries while `instanceId` holds the lease with `token`. */
  fence(agent: string, instanceId: string, token: number): StoreFence;
  close(): Promise<void>;
}

/** The lease's stored value: token first (a number), then the instance id. */
export function leaseValue(instanceId: string, token: number): string {
  return `${token} ${instanceId}`;
}

export function parseLeaseValue(value: string): LeaseHolder | undefined {
  const space = value.indexOf(' ');
  const token = Number(value.slice(0, space));
  if (space <= 0 || !Number.isSafeInteger(token)) return undefined;
  return { token, instanceId: value.slice(space + 1) };
}

/** The first word of the Redis error a fenced write gets. */
export const FENCED_REPLY = 'MESH_FENCED';

/**
 * A write refused because this instance no longer holds its agent's active lease: another instance is
 * active. Never retried by the instance; the new active one handles the event.
 */
export class FencedError extends StoreError {
  override readonly name = 'FencedError';
  constructor(store: StoreName, message: string) {
    super(store, message);
  }
}
