import type { Logger } from 'pino';
import type { GroupCoordinator } from '../groups/coordinator';
import type { ApiKey } from '../protocol/api-keys';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';
import type { AclStore } from '../security/acl-store';
import type { ScramCredentialStore } from '../security/credential-store';
import type { SaslSession } from '../security/sasl-session';
import type { Cluster } from '../state/cluster';
import type { TransactionCoordinator } from '../transactions/txn-coordinator';

/** The broker's security state: SCRAM credentials always; ACLs only when an authorizer is configured. */
export interface BrokerSecurity {
  readonly credentials: ScramCredentialStore;
  /** null: no authorizer, every request is allowed. */
  readonly acls: AclStore | null;
  /** Called after ACLs or credentials change, so a broker with a data dir can keep them. */
  changed(): void;
}

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** What a handler may see and touch while answering one request. */
export interface RequestContext {
  readonly header: RequestHeader;
  readonly cluster: Cluster;
  readonly groups: GroupCoordinator;
  readonly transactions: TransactionCoordinator;
  /** The address the client connected to: Metadata and FindCoordinator advertise it. */
  readonly advertised: { host: string; port: number };
  readonly clientHost: string;
  /** Aborts when the connection closes or the broker stops, so long waits end. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Every API this listener serves (ApiVersions lists them). */
  readonly apis: readonly AnyApiDefinition[];
  /** The connection's authentication: who is asking (`sasl.principal`), and the SASL exchange. */
  readonly sasl: SaslSession;
  readonly security: BrokerSecurity;
}

/**
 * One Kafka API: its version range, how its request is decoded and its
 * response encoded (the codec), and how it is answered (the handler).
 */
export interface ApiDefinition<Req, Res> {
  readonly key: ApiKey;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** From this version on, requests use header v2 and responses header v1 (KIP-482 tagged fields). */
  readonly flexibleFrom?: number;
  decode(r: Reader, version: number): Req;
  encode(w: Writer, res: Res, version: number): void;
  handle(req: Req, ctx: RequestContext): Res | Promise<Res>;
  /** Produce with acks=0 is never answered. */
  expectsResponse?(req: Req): boolean;
}

// The registry holds definitions of many request/response types; this erases them at the boundary.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyApiDefinition = ApiDefinition<any, any>;

/** Answers a handler gives for the whole request when it cannot serve it. */
export function defineApi<Req, Res>(def: ApiDefinition<Req, Res>): ApiDefinition<Req, Res> {
  return def;
}
