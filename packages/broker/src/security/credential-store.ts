import { passwordMatches, scramCredential, type ScramCredential, type ScramMechanism } from './scram';

/** A user as configured at start: the password is salted and iterated on load, then forgotten. */
export interface ScramUser {
  name: string;
  password: string;
  /** Default: both SCRAM mechanisms. */
  mechanisms?: ScramMechanism[];
  /** Default 4096, Kafka's minimum. */
  iterations?: number;
}

/**
 * SCRAM credentials per user and mechanism, as Kafka keeps them. SASL/PLAIN
 * logins are checked against the same salted keys, so no password is stored.
 */
export class ScramCredentialStore {
  private readonly users = new Map<string, Map<ScramMechanism, ScramCredential>>();

  static fromUsers(users: readonly ScramUser[], store = new ScramCredentialStore()): ScramCredentialStore {
    for (const u of users) {
      for (const m of u.mechanisms ?? (['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)) store.upsert(u.name, m, scramCredential(m, u.password, u.iterations ?? 4096));
    }
    return store;
  }

  get(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.users.get(user)?.get(mechanism);
  }

  upsert(user: string, mechanism: ScramMechanism, credential: ScramCredential): void {
    let byMechanism = this.users.get(user);
    if (!byMechanism) this.users.set(user, (byMechanism = new Map<ScramMechanism, ScramCredential>()));
    byMechanism.set(mechanism, credential);
  }

  /** False when there was nothing to delete. */
  delete(user: string, mechanism: ScramMechanism): boolean {
    const byMechanism = this.users.get(user);
    const deleted = byMechanism?.delete(mechanism) ?? false;
    if (byMechanism?.size === 0) this.users.delete(user);
    return deleted;
  }

  describe(user: string): Array<{ mechanism: ScramMechanism; iterations: number }> | undefined {
    const byMechanism = this.users.get(user);
    if (!byMechanism) return undefined;
    return [...byMechanism].map(([mechanism, c]) => ({ mechanism, iterations: c.iterations }));
  }

  entries(): Array<{ user: string; mechanism: ScramMechanism; credential: ScramCredential }> {
    return [...this.users].flatMap(([user, byMechanism]) => [...byMechanism].map(([mechanism, credential]) => ({ user, mechanism, credential })));
  }

  userNames(): string[] {
    return [...this.users.keys()].sort();
  }

  /** SASL/PLAIN: the password is right if it reproduces any of the user's stored keys. */
  verifyPassword(user: string, password: string): boolean {
    const first = this.users.get(user)?.values().next();
    return first !== undefined && !first.done && passwordMatches(first.value, password);
  }
}
