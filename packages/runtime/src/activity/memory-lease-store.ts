import { leaseValue, type ActiveLeaseStore, type LeaseHolder, type StoreFence } from './lease-store';

/** Active leases of agents in this process (tests, a single process). Same rules as the Redis store. */
export class MemoryActiveLeaseStore implements ActiveLeaseStore {
  readonly kind = 'memory' as const;
  private readonly leases = new Map<string, { holder: LeaseHolder; expiresAt: number }>();
  private lastToken = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  acquire(agent: string, instanceId: string, ttlMs: number): Promise<{ acquired: true; token: number } | { acquired: false; holder: LeaseHolder }> {
    const current = this.current(agent);
    if (current && current.instanceId !== instanceId) return Promise.resolve({ acquired: false, holder: { ...current } });
    const token = current ? current.token : ++this.lastToken;
    this.leases.set(agent, { holder: { instanceId, token }, expiresAt: this.clock() + ttlMs });
    return Promise.resolve({ acquired: true, token });
  }

  renew(agent: string, instanceId: string, token: number, ttlMs: number): Promise<boolean> {
    const current = this.current(agent);
    if (!current || current.instanceId !== instanceId || current.token !== token) return Promise.resolve(false);
    this.leases.set(agent, { holder: current, expiresAt: this.clock() + ttlMs });
    return Promise.resolve(true);
  }

  release(agent: string, instanceId: string, token: number): Promise<void> {
    const current = this.current(agent);
    if (current && current.instanceId === instanceId && current.token === token) this.leases.delete(agent);
    return Promise.resolve();
  }

  holder(agent: string): Promise<LeaseHolder | undefined> {
    const current = this.current(agent);
    return Promise.resolve(current ? { ...current } : undefined);
  }

  fence(agent: string, instanceId: string, token: number): StoreFence {
    return { leaseKey: agent, holder: leaseValue(instanceId, token) };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private current(agent: string): LeaseHolder | undefined {
    const lease = this.leases.get(agent);
    if (!lease || lease.expiresAt <= this.clock()) return undefined;
    return lease.holder;
  }
}
