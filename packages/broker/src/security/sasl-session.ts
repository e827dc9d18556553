import { ErrorCode } from '../protocol/errors';
import { ANONYMOUS } from './acl';
import type { ScramCredentialStore } from './credential-store';
import { parsePlainToken } from './plain';
import { SCRAM_MECHANISMS, ScramServerExchange, type ScramMechanism } from './scram';

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface SaslConfig {
  /** Kafka's sasl.enabled.mechanisms. */
  mechanisms: readonly SaslMechanism[];
  credentials: ScramCredentialStore;
  /** Kafka's connections.max.reauth.ms: sessions last this long unless re-authenticated; null for forever. */
  maxReauthMs: number | null;
}

type ExchangeStep = { kind: 'challenge'; token: Buffer } | { kind: 'success'; token: Buffer; user: string } | { kind: 'failure'; reason: string };
interface SaslExchange {
  receive(token: Buffer): ExchangeStep;
}

export interface HandshakeOutcome {
  errorCode: ErrorCode;
  mechanisms: string[];
}

export interface AuthenticateOutcome {
  errorCode: ErrorCode;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: number;
}

function plainExchange(credentials: ScramCredentialStore): SaslExchange {
  return {
    receive(token) {
      const parsed = parsePlainToken(token);
      if (!parsed) return { kind: 'failure', reason: 'malformed PLAIN token' };
      if (!credentials.verifyPassword(parsed.user, parsed.password)) return { kind: 'failure', reason: 'invalid credentials' };
      return { kind: 'success', token: Buffer.alloc(0), user: parsed.user };
    },
  };
}

function scramExchange(mechanism: ScramMechanism, credentials: ScramCredentialStore): SaslExchange {
  const scram = new ScramServerExchange(SCRAM_MECHANISMS[mechanism].hash, (user) => credentials.get(user, mechanism));
  return {
    receive(token) {
      const step = scram.receive(token.toString('utf8'));
      if (step.kind === 'failure') return step;
      return step.kind === 'challenge' ? { kind: 'challenge', token: Buffer.from(step.message) } : { kind: 'success', token: Buffer.from(step.message), user: step.user };
    },
  };
}

/**
 * One connection's authentication (KIP-43 handshake, KIP-152 SaslAuthenticate,
 * KIP-368 re-authentication) as a state machine; the connection asks it
 * whether a request may pass, and closes when it says so.
 */
export class SaslSession {
  /** `User:<name>` once authenticated; on listeners without SASL, the client certificate's name or ANONYMOUS. */
  principal: string;
  authenticated: boolean;
  /** After SaslHandshake v0 the next frames are bare SASL tokens, not Kafka requests (what kafka-python 2.0 sends). */
  rawTokens = false;
  /** Set when the broker must close the connection once the current answer is out (a failed login). */
  closeAfterResponse = false;
  private mechanism: SaslMechanism | null = null;
  private exchange: SaslExchange | null = null;
  private expiresAt: number | null = null;

  constructor(
    private readonly config: SaslConfig | null,
    private readonly clock: () => number = Date.now,
    transportPrincipal: string = ANONYMOUS,
  ) {
    this.authenticated = config === null;
    this.principal = transportPrincipal;
  }

  get usesSasl(): boolean {
    return this.config !== null;
  }

  /** True when a re-authentication was due and did not come: the connection must close. */
  expired(): boolean {
    return this.expiresAt !== null && this.clock() > this.expiresAt;
  }

  handshake(mechanism: string, version: number): HandshakeOutcome {
    const offered = [...(this.config?.mechanisms ?? [])];
    if (!this.config || this.exchange !== null || (this.authenticated && version === 0)) {
      this.closeAfterResponse = true;
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: offered };
    }
    if (!(offered as string[]).includes(mechanism)) {
      this.closeAfterResponse = true;
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: offered };
    }
    this.mechanism = mechanism as SaslMechanism;
    this.exchange = this.mechanism === 'PLAIN' ? plainExchange(this.config.credentials) : scramExchange(this.mechanism, this.config.credentials);
    this.rawTokens = version === 0;
    return { errorCode: ErrorCode.NONE, mechanisms: offered };
  }

  authenticate(token: Buffer): AuthenticateOutcome {
    const refuse = (errorCode: ErrorCode, errorMessage: string): AuthenticateOutcome => {
      this.closeAfterResponse = true;
      this.exchange = null;
      this.rawTokens = false;
      return { errorCode, errorMessage, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 };
    };
    if (!this.exchange || !this.mechanism) return refuse(ErrorCode.ILLEGAL_SASL_STATE, 'SaslAuthenticate before a successful SaslHandshake');
    const step = this.exchange.receive(token);
    if (step.kind === 'failure') {
      const why = step.reason === 'invalid credentials' ? `invalid credentials with SASL mechanism ${this.mechanism}` : `${step.reason} (SASL mechanism ${this.mechanism})`;
      return refuse(ErrorCode.SASL_AUTHENTICATION_FAILED, `Authentication failed: ${why}`);
    }
    if (step.kind === 'challenge') return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: step.token, sessionLifetimeMs: 0 };
    const principal = `User:${step.user}`;
    // KIP-368: a re-authentication may renew the session, never change who it belongs to.
    if (this.authenticated && this.principal !== principal) return refuse(ErrorCode.SASL_AUTHENTICATION_FAILED, 'Authentication failed: re-authentication may not change the principal');
    this.principal = principal;
    this.authenticated = true;
    this.exchange = null;
    this.rawTokens = false;
    const lifetime = this.config!.maxReauthMs;
    this.expiresAt = lifetime === null ? null : this.clock() + lifetime;
    return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: step.token, sessionLifetimeMs: lifetime ?? 0 };
  }
}
