import { createHash, createHmac, randomBytes } from 'node:crypto';
import { ErrorCode } from '../protocol/errors';
import { ScramCredentialStore } from './credential-store';
import { SaslSession, type SaslConfig } from './sasl-session';
import { saltPassword } from './scram';

const credentials = ScramCredentialStore.fromUsers([{ name: 'alice', password: 'alice-pw' }]);
const config = (overrides: Partial<SaslConfig> = {}): SaslConfig => ({ mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], credentials, maxReauthMs: null, ...overrides });
const plain = (user: string, password: string) => Buffer.from(`\u0000${user}\u0000${password}`);

/** A client side of SCRAM-SHA-256, enough to drive the session. */
function scramLogin(session: SaslSession, user: string, password: string) {
  const clientNonce = randomBytes(12).toString('base64');
  const first = session.authenticate(Buffer.from(`n,,n=${user},r=${clientNonce}`));
  if (first.errorCode !== ErrorCode.NONE) return first;
  const attrs = Object.fromEntries(
    first.authBytes
      .toString()
      .split(',')
      .map((kv) => [kv[0], kv.slice(2)]),
  );
  const salted = saltPassword('sha256', password, Buffer.from(attrs.s!, 'base64'), Number(attrs.i));
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const withoutProof = `c=biws,r=${attrs.r}`;
  const authMessage = `n=${user},r=${clientNonce},${first.authBytes.toString()},${withoutProof}`;
  const signature = createHmac('sha256', storedKey).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
  return session.authenticate(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`));
}

describe('SaslSession', () => {
  it('is authenticated as ANONYMOUS on a listener without SASL, and refuses a handshake there', () => {
    const session = new SaslSession(null);
    expect(session.authenticated).toBe(true);
    expect(session.principal).toBe('User:ANONYMOUS');
    expect(session.handshake('PLAIN', 1).errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
    expect(session.closeAfterResponse).toBe(true);
  });

  it('logs in with PLAIN against the salted credentials', () => {
    const session = new SaslSession(config());
    expect(session.authenticated).toBe(false);
    expect(session.handshake('PLAIN', 1)).toEqual({ errorCode: ErrorCode.NONE, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] });
    expect(session.authenticate(plain('alice', 'alice-pw')).errorCode).toBe(ErrorCode.NONE);
    expect(session.principal).toBe('User:alice');
    expect(session.authenticated).toBe(true);
  });

  it('refuses a wrong password with SASL_AUTHENTICATION_FAILED and asks to close', () => {
    const session = new SaslSession(config());
    session.handshake('PLAIN', 1);
    const outcome = session.authenticate(plain('alice', 'wrong'));
    expect(outcome).toMatchObject({ errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: 'Authentication failed: invalid credentials with SASL mechanism PLAIN' });
    expect(session.authenticated).toBe(false);
    expect(session.closeAfterResponse).toBe(true);
  });

  it('logs in with SCRAM-SHA-256 and refuses a wrong password', () => {
    const ok = new SaslSession(config());
    ok.handshake('SCRAM-SHA-256', 1);
    expect(scramLogin(ok, 'alice', 'alice-pw').errorCode).toBe(ErrorCode.NONE);
    expect(ok.principal).toBe('User:alice');
    const bad = new SaslSession(config());
    bad.handshake('SCRAM-SHA-256', 1);
    expect(scramLogin(bad, 'alice', 'nope').errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
  });

  it('refuses an unknown or disabled mechanism, and authenticate before handshake', () => {
    expect(new SaslSession(config()).handshake('GSSAPI', 1).errorCode).toBe(ErrorCode.UNSUPPORTED_SASL_MECHANISM);
    expect(new SaslSession(config({ mechanisms: ['SCRAM-SHA-512'] })).handshake('PLAIN', 1).errorCode).toBe(ErrorCode.UNSUPPORTED_SASL_MECHANISM);
    expect(new SaslSession(config()).authenticate(plain('alice', 'alice-pw')).errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
  });

  it('switches to bare tokens after SaslHandshake v0', () => {
    const session = new SaslSession(config());
    session.handshake('PLAIN', 0);
    expect(session.rawTokens).toBe(true);
    session.authenticate(plain('alice', 'alice-pw'));
    expect(session.rawTokens).toBe(false);
  });

  it('reports the session lifetime, expires without re-authentication, and renews on it (KIP-368)', () => {
    let now = 1000;
    const session = new SaslSession(config({ maxReauthMs: 500 }), () => now);
    session.handshake('PLAIN', 1);
    expect(session.authenticate(plain('alice', 'alice-pw')).sessionLifetimeMs).toBe(500);
    now = 1400;
    expect(session.expired()).toBe(false);
    session.handshake('PLAIN', 1);
    session.authenticate(plain('alice', 'alice-pw'));
    now = 1800;
    expect(session.expired()).toBe(false);
    now = 2000;
    expect(session.expired()).toBe(true);
  });

  it('refuses a re-authentication as somebody else', () => {
    const store = ScramCredentialStore.fromUsers([
      { name: 'alice', password: 'a', mechanisms: ['SCRAM-SHA-256'] },
      { name: 'bob', password: 'b', mechanisms: ['SCRAM-SHA-256'] },
    ]);
    const session = new SaslSession(config({ credentials: store }));
    session.handshake('PLAIN', 1);
    session.authenticate(plain('alice', 'a'));
    session.handshake('PLAIN', 1);
    expect(session.authenticate(plain('bob', 'b'))).toMatchObject({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed: re-authentication may not change the principal',
    });
  });
});
