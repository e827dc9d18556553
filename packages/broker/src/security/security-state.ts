import type { AclBinding } from './acl';
import type { ScramCredential, ScramHash, ScramMechanism } from './scram';
import { SCRAM_MECHANISMS } from './scram';

/** What survives a restart with a data dir, as Kafka keeps it in its metadata: ACLs and salted SCRAM credentials. */
export interface SecurityState {
  acls: AclBinding[];
  credentials: Array<{ user: string; mechanism: ScramMechanism; credential: ScramCredential }>;
}

interface StoredCredential {
  user: string;
  mechanism: ScramMechanism;
  iterations: number;
  salt: string;
  storedKey: string;
  serverKey: string;
}

interface StoredState {
  version: 1;
  acls: AclBinding[];
  credentials: StoredCredential[];
}

/** Thrown when the stored security state cannot be read back; the broker refuses to start rather than run open. */
export class SecurityStateError extends Error {
  override readonly name = 'SecurityStateError';
}

export function serializeSecurityState(state: SecurityState): string {
  const stored: StoredState = {
    version: 1,
    acls: state.acls,
    credentials: state.credentials.map(({ user, mechanism, credential: c }) => ({
      user,
      mechanism,
      iterations: c.iterations,
      salt: c.salt.toString('base64'),
      storedKey: c.storedKey.toString('base64'),
      serverKey: c.serverKey.toString('base64'),
    })),
  };
  return JSON.stringify(stored, null, 1) + '\n';
}

export function parseSecurityState(text: string, source: string): SecurityState {
  let doc: StoredState;
  try {
    doc = JSON.parse(text) as StoredState;
  } catch (err) {
    throw new SecurityStateError(`security state ${source} is not JSON: ${(err as Error).message}`);
  }
  if (doc?.version !== 1 || !Array.isArray(doc.acls) || !Array.isArray(doc.credentials)) throw new SecurityStateError(`security state ${source} is not a version 1 state file`);
  const credentials = doc.credentials.map((c) => {
    if (!(c.mechanism in SCRAM_MECHANISMS)) throw new SecurityStateError(`security state ${source}: unknown mechanism ${String(c.mechanism)} for user ${c.user}`);
    const hash: ScramHash = SCRAM_MECHANISMS[c.mechanism].hash;
    const credential: ScramCredential = {
      hash,
      iterations: c.iterations,
      salt: Buffer.from(c.salt, 'base64'),
      storedKey: Buffer.from(c.storedKey, 'base64'),
      serverKey: Buffer.from(c.serverKey, 'base64'),
    };
    return { user: c.user, mechanism: c.mechanism, credential };
  });
  return { acls: doc.acls, credentials };
}
