import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** The SCRAM mechanisms Kafka offers, with Kafka's wire codes (AlterUserScramCredentials) and their hash. */
export const SCRAM_MECHANISMS = {
  'SCRAM-SHA-256': { code: 1, hash: 'sha256', minIterations: 4096 },
  'SCRAM-SHA-512': { code: 2, hash: 'sha512', minIterations: 4096 },
} as const;
export type ScramMechanism = keyof typeof SCRAM_MECHANISMS;
/** Kafka refuses more iterations than this (it would let a client burn the broker's CPU). */
export const MAX_SCRAM_ITERATIONS = 16384;

/** SHA-1 is here only for RFC 5802's test vector; Kafka offers SHA-256 and SHA-512. */
export type ScramHash = 'sha1' | 'sha256' | 'sha512';

/** What the broker keeps of a password, as Kafka does: never the password, only salted and iterated keys. */
export interface ScramCredential {
  hash: ScramHash;
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

export const scramMechanismByCode = (code: number): ScramMechanism | undefined => (Object.keys(SCRAM_MECHANISMS) as ScramMechanism[]).find((m) => SCRAM_MECHANISMS[m].code === code);

const hmac = (hash: ScramHash, key: Buffer, text: string | Buffer): Buffer => createHmac(hash, key).update(text).digest();
const digest = (hash: ScramHash, data: Buffer): Buffer => createHash(hash).update(data).digest();
const keyLength = (hash: ScramHash): number => ({ sha1: 20, sha256: 32, sha512: 64 })[hash];

/** Hi() of RFC 5802: PBKDF2 with the hash's HMAC. */
export function saltPassword(hash: ScramHash, password: string, salt: Buffer, iterations: number): Buffer {
  // Kafka, kafkajs and librdkafka all hash the password's UTF-8 bytes as they are (no SASLprep), so we do too.
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, keyLength(hash), hash);
}

/** The stored form of a salted password (what AlterUserScramCredentials carries). */
export function credentialFromSaltedPassword(hash: ScramHash, salt: Buffer, iterations: number, saltedPassword: Buffer): ScramCredential {
  const clientKey = hmac(hash, saltedPassword, 'Client Key');
  return { hash, salt, iterations, storedKey: digest(hash, clientKey), serverKey: hmac(hash, saltedPassword, 'Server Key') };
}

export function scramCredential(mechanism: ScramMechanism, password: string, iterations = 4096, salt: Buffer = randomBytes(32)): ScramCredential {
  const hash = SCRAM_MECHANISMS[mechanism].hash;
  return credentialFromSaltedPassword(hash, salt, iterations, saltPassword(hash, password, salt, iterations));
}

/** Checks a clear-text password (SASL/PLAIN) against a stored credential without keeping the password. */
export function passwordMatches(credential: ScramCredential, password: string): boolean {
  const candidate = credentialFromSaltedPassword(credential.hash, credential.salt, credential.iterations, saltPassword(credential.hash, password, credential.salt, credential.iterations));
  return timingSafeEqual(candidate.storedKey, credential.storedKey);
}

/** One step of an exchange: a challenge to send, the final message with the authenticated user, or a refusal. */
export type ScramStep = { kind: 'challenge'; message: string } | { kind: 'success'; message: string; user: string } | { kind: 'failure'; reason: string };

/** `=2C` and `=3D` stand for ',' and '=' in SCRAM user names; any other '=' is malformed. */
function decodeSaslName(name: string): string | null {
  if (/=(?!2C|3D)/.test(name)) return null;
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

function attributes(message: string): Map<string, string> | null {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const m = /^([A-Za-z])=(.*)$/s.exec(part);
    if (!m || out.has(m[1]!)) return null;
    out.set(m[1]!, m[2]!);
  }
  return out;
}

/**
 * The server side of a SCRAM exchange (RFC 5802, RFC 7677) as a state
 * machine of strings: client-first in, server-first out; client-final in,
 * server-final out. No I/O; the nonce source is injectable for test vectors.
 */
export class ScramServerExchange {
  private state: 'initial' | 'challenged' | 'done' = 'initial';
  private user = '';
  private credential: ScramCredential | undefined;
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  constructor(
    private readonly hash: ScramHash,
    private readonly lookup: (user: string) => ScramCredential | undefined,
    private readonly serverNonce: () => string = () => randomBytes(18).toString('base64'),
  ) {}

  receive(message: string): ScramStep {
    if (this.state === 'initial') return this.clientFirst(message);
    if (this.state === 'challenged') return this.clientFinal(message);
    return this.fail('the exchange is already complete');
  }

  private fail(reason: string): ScramStep {
    this.state = 'done';
    return { kind: 'failure', reason };
  }

  private clientFirst(message: string): ScramStep {
    // gs2-header: a channel-binding flag, an optional authzid, then the bare message.
    const m = /^([ny]|p=[^,]*),(a=[^,]*)?,(.*)$/s.exec(message);
    if (!m) return this.fail('malformed client-first message');
    if (m[1]!.startsWith('p=')) return this.fail('channel binding is not supported');
    const bare = attributes(m[3]!);
    const rawUser = bare?.get('n');
    const clientNonce = bare?.get('r');
    if (!bare || rawUser === undefined || !clientNonce || bare.has('m')) return this.fail('malformed client-first message');
    const user = decodeSaslName(rawUser);
    if (user === null || user === '') return this.fail('malformed user name');
    const authzid = m[2] ? decodeSaslName(m[2].slice(2)) : null;
    if (authzid !== null && authzid !== user) return this.fail('the authorization id differs from the user name');
    this.credential = this.lookup(user);
    if (!this.credential || this.credential.hash !== this.hash) return this.fail('invalid credentials');
    this.user = user;
    this.gs2Header = `${m[1]},${m[2] ?? ''},`;
    this.clientFirstBare = m[3]!;
    this.nonce = clientNonce + this.serverNonce();
    this.serverFirst = `r=${this.nonce},s=${this.credential.salt.toString('base64')},i=${this.credential.iterations}`;
    this.state = 'challenged';
    return { kind: 'challenge', message: this.serverFirst };
  }

  private clientFinal(message: string): ScramStep {
    const proofAt = message.lastIndexOf(',p=');
    if (proofAt < 0) return this.fail('malformed client-final message');
    const withoutProof = message.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    if (!attrs) return this.fail('malformed client-final message');
    if (attrs.get('c') !== Buffer.from(this.gs2Header).toString('base64')) return this.fail('channel binding does not match');
    // Kafka only checks that the nonce ends with ours: librdkafka sends its own nonce in front of the combined one.
    if (!attrs.get('r')?.endsWith(this.nonce)) return this.fail('nonce does not match');
    const credential = this.credential!;
    const proof = Buffer.from(message.slice(proofAt + 3), 'base64');
    if (proof.length !== credential.storedKey.length) return this.fail('invalid credentials');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.hash, credential.storedKey, authMessage);
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    if (!timingSafeEqual(digest(this.hash, clientKey), credential.storedKey)) return this.fail('invalid credentials');
    this.state = 'done';
    const serverSignature = hmac(this.hash, credential.serverKey, authMessage);
    return { kind: 'success', message: `v=${serverSignature.toString('base64')}`, user: this.user };
  }
}
