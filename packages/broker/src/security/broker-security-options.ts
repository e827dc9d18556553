import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrokerSecurity } from '../api/types';
import type { AclBinding } from './acl';
import { AclStore } from './acl-store';
import { ScramCredentialStore, type ScramUser } from './credential-store';
import { parseListeners, usesSasl, usesTls, type ListenerSpec } from './listeners';
import { SASL_MECHANISMS, type SaslConfig, type SaslMechanism } from './sasl-session';
import { loadSecurityState, saveSecurityState, SECURITY_STATE_FILE } from './security-state-file';
import { loadUsersFile } from './users-file';

/** TLS material for SSL and SASL_SSL listeners, from PEM files (Kafka's ssl.keystore / ssl.truststore, in PEM). */
export interface BrokerTlsOptions {
  certFile: string;
  keyFile: string;
  /** CA bundle for client certificates (mTLS); only read when clients must present one. */
  caFile?: string;
  /** Kafka's ssl.client.auth: 'required' asks every client for a certificate signed by caFile. Default 'none'. */
  clientAuth?: 'none' | 'required';
}

export interface BrokerSaslOptions {
  /** Kafka's sasl.enabled.mechanisms. Default PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512. */
  mechanisms?: SaslMechanism[];
  /** Users known at start; their passwords are salted and iterated, then dropped. */
  users?: ScramUser[];
  /** A JSON file of users (see users-file.ts), read at start. */
  usersFile?: string;
  /** Kafka's connections.max.reauth.ms: sessions must re-authenticate within this; absent: never. */
  maxReauthMs?: number;
}

export interface BrokerAuthorizerOptions {
  /** Kafka's super.users: principals (`User:admin`) that bypass every ACL. */
  superUsers?: string[];
  /** ACLs in place at start; CreateAcls / DeleteAcls change them at run time. */
  acls?: AclBinding[];
}

/** Thrown for a security configuration the broker cannot start with; the message says what to fix. */
export class BrokerConfigError extends Error {
  override readonly name = 'BrokerConfigError';
}

export interface ResolvedSecurity {
  listeners: ListenerSpec[];
  advertised: ListenerSpec[];
  tls: { key: Buffer; cert: Buffer; ca?: Buffer; requestCert: boolean } | null;
  sasl: SaslConfig | null;
  security: BrokerSecurity;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BrokerConfigError(code === 'ENOENT' ? `${what} ${path} does not exist` : `${what} ${path} cannot be read: ${(err as Error).message}`);
  }
}

export interface SecurityInputs {
  listeners?: string | ListenerSpec[];
  advertisedListeners?: string | ListenerSpec[];
  host: string;
  port: number;
  tls?: BrokerTlsOptions;
  sasl?: BrokerSaslOptions;
  authorizer?: BrokerAuthorizerOptions;
  /** With a data dir, run-time changes to ACLs and credentials are kept in it. */
  dataDir?: string;
}

/** Turns the broker's options into listeners and security state, refusing combinations that cannot work. */
export function resolveSecurity(o: SecurityInputs): ResolvedSecurity {
  const listeners = o.listeners === undefined ? [{ name: 'PLAINTEXT' as const, host: o.host, port: o.port }] : typeof o.listeners === 'string' ? parseListeners(o.listeners) : o.listeners;
  const advertised = o.advertisedListeners === undefined ? [] : typeof o.advertisedListeners === 'string' ? parseListeners(o.advertisedListeners) : o.advertisedListeners;
  const needsTls = listeners.some((l) => usesTls(l.name));
  if (needsTls && !o.tls)
    throw new BrokerConfigError(
      `listener ${listeners.find((l) => usesTls(l.name))!.name} needs a TLS certificate and key (tls.certFile and tls.keyFile; mesh broker: --ssl-cert-file and --ssl-key-file)`,
    );
  const requestCert = o.tls?.clientAuth === 'required';
  if (requestCert && !o.tls?.caFile) throw new BrokerConfigError('client authentication "required" needs a CA file to check client certificates against');
  const tls =
    needsTls && o.tls
      ? { cert: readPem(o.tls.certFile, 'TLS certificate file'), key: readPem(o.tls.keyFile, 'TLS key file'), ca: o.tls.caFile ? readPem(o.tls.caFile, 'TLS CA file') : undefined, requestCert }
      : null;
  const users = [...(o.sasl?.users ?? []), ...(o.sasl?.usersFile ? loadUsersFile(o.sasl.usersFile) : [])];
  // Kept state first, then the users file, which is applied at every start.
  const stateFile = o.dataDir === undefined ? null : join(o.dataDir, SECURITY_STATE_FILE);
  const kept = stateFile ? loadSecurityState(stateFile) : null;
  const credentials = new ScramCredentialStore();
  for (const c of kept?.credentials ?? []) credentials.upsert(c.user, c.mechanism, c.credential);
  ScramCredentialStore.fromUsers(users, credentials);
  const mechanisms = o.sasl?.mechanisms ?? [...SASL_MECHANISMS];
  for (const m of mechanisms) {
    if (!(SASL_MECHANISMS as readonly string[]).includes(m)) throw new BrokerConfigError(`SASL mechanism '${m}' is not one of ${SASL_MECHANISMS.join(', ')}`);
  }
  if (o.sasl?.maxReauthMs !== undefined && !(Number.isInteger(o.sasl.maxReauthMs) && o.sasl.maxReauthMs > 0)) throw new BrokerConfigError('maxReauthMs must be a positive integer');
  const sasl = listeners.some((l) => usesSasl(l.name)) ? { mechanisms, credentials, maxReauthMs: o.sasl?.maxReauthMs ?? null } : null;
  const acls = o.authorizer ? new AclStore(o.authorizer.superUsers ?? [], [...(kept?.acls ?? []), ...(o.authorizer.acls ?? [])]) : null;
  const changed = () => {
    if (stateFile) saveSecurityState(stateFile, { acls: acls?.all() ?? kept?.acls ?? [], credentials: credentials.entries() });
  };
  return { listeners, advertised, tls, sasl, security: { credentials, acls, changed } };
}
