import type { Logger } from 'pino';
import type { GroupCoordinator } from '../groups/coordinator';
import type { ApiKey } from '../protocol/api-keys';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';
import type { Cluster } from '../state/cluster';

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
  /** The address the client connected to: Metadata and FindCoordinator advertise it. */
  readonly advertised: { host: string; port: number };
  readonly clientHost: string;
  /** Aborts when the connection closes or the broker stops, so long waits end. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Every API the broker serves (ApiVersions lists them). */
  readonly apis: readonly AnyApiDefinition[];
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
