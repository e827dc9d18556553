import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { PRE_AUTH_APIS, type ListenerApis } from '../api/registry';
import type { AnyApiDefinition, BrokerSecurity, RequestContext, RequestHeader } from '../api/types';
import type { GroupCoordinator } from '../groups/coordinator';
import type { TransactionCoordinator } from '../transactions/txn-coordinator';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode, ProtocolDecodeError } from '../protocol/errors';
import { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';
import { ANONYMOUS } from '../security/acl';
import { SaslSession, type SaslConfig } from '../security/sasl-session';
import { sslPrincipal } from '../security/ssl-principal';
import type { Cluster } from '../state/cluster';
import { FrameReader, FrameTooLargeError } from './frame-reader';

export interface ConnectionDeps {
  cluster: Cluster;
  groups: GroupCoordinator;
  transactions: TransactionCoordinator;
  /** What this connection's listener serves. */
  apis: ListenerApis;
  log: Logger;
  maxFrameBytes: number;
  /** The listener's advertised address; null: the address the client connected to. */
  advertised: { host: string; port: number } | null;
  /** True on TLS listeners: a ClientHello on a plaintext one gets a clear log line. */
  tls: boolean;
  /** The listener's SASL settings; null on listeners without SASL. */
  sasl: SaslConfig | null;
  security: BrokerSecurity;
}

/** A response slot: requests may finish out of order, but Kafka answers in request order. */
interface PendingResponse {
  frame: Buffer[] | null;
  done: boolean;
}

/**
 * One client connection: frames in, responses out, in order. Anything the
 * broker cannot make sense of closes this connection only, with one log line.
 */
export class Connection {
  private readonly frames: FrameReader;
  private readonly pending: PendingResponse[] = [];
  private readonly abort = new AbortController();
  private readonly log: Logger;
  private readonly advertised: { host: string; port: number };
  private readonly clientHost: string;
  private readonly sasl: SaslSession;
  private closed = false;
  private sawFirstBytes = false;
  /** True while onData hands out the frames of one chunk: responses ready meanwhile are flushed together after it. */
  private dispatching = false;
  private flushDue = false;

  constructor(
    private readonly socket: Socket,
    private readonly deps: ConnectionDeps,
  ) {
    this.frames = new FrameReader(deps.maxFrameBytes);
    this.clientHost = stripV4Mapped(socket.remoteAddress ?? 'unknown');
    this.advertised = deps.advertised ?? { host: stripV4Mapped(socket.localAddress ?? '127.0.0.1'), port: socket.localPort ?? 0 };
    this.sasl = new SaslSession(deps.sasl, Date.now, transportPrincipal(socket));
    this.log = deps.log.child({ client: `${this.clientHost}:${socket.remotePort}` });
    socket.setNoDelay(true);
    socket.on('data', (data) => this.onData(data));
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'socket error'));
    socket.on('close', () => this.onClose());
    socket.on('drain', () => socket.resume());
  }

  close(): void {
    this.socket.destroy();
    this.onClose();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
  }

  private fail(reason: string, extra: Record<string, unknown> = {}): void {
    this.log.warn(extra, `closing connection: ${reason}`);
    this.close();
  }

  private onData(data: Buffer): void {
    if (!this.sawFirstBytes) {
      this.sawFirstBytes = true;
      // A TLS record header (handshake, TLS 1.x) where a Kafka frame size belongs: name the mistake instead of "frame too large".
      if (!this.deps.tls && data[0] === 0x16 && data[1] === 0x03) return this.fail('a TLS handshake arrived on a plaintext listener');
    }
    let frames: Buffer[];
    try {
      frames = this.frames.push(data);
    } catch (err) {
      if (err instanceof FrameTooLargeError) return this.fail(err.message);
      throw err;
    }
    this.dispatching = true;
    try {
      for (const frame of frames) {
        if (this.closed) return;
        this.onFrame(frame);
      }
    } finally {
      this.dispatching = false;
    }
    if (this.flushDue) this.flush();
  }

  private onFrame(frame: Buffer): void {
    // After a refused login nothing more is read; the refusal goes out and the connection ends.
    if (this.sasl.closeAfterResponse) return;
    if (this.sasl.rawTokens) return this.onRawSaslToken(frame);
    const r = new Reader(frame);
    let header: RequestHeader;
    try {
      header = { apiKey: r.int16(), apiVersion: r.int16(), correlationId: r.int32(), clientId: r.nullableString() };
    } catch (err) {
      return this.fail(`malformed request header (${(err as Error).message})`);
    }
    const api = this.deps.apis.byKey.get(header.apiKey);
    if (!api) return this.fail(`unknown API key ${header.apiKey}`, { correlationId: header.correlationId });
    if (!this.sasl.authenticated && !PRE_AUTH_APIS.has(header.apiKey)) return this.fail(`${api.name} request before SASL authentication`);
    if (this.sasl.expired() && header.apiKey !== ApiKey.SaslHandshake && header.apiKey !== ApiKey.SaslAuthenticate) {
      return this.fail('the SASL session expired without re-authentication', { principal: this.sasl.principal });
    }
    if (header.apiVersion < api.minVersion || header.apiVersion > api.maxVersion) {
      if (header.apiKey === ApiKey.ApiVersions) return this.answerUnsupportedApiVersions(header);
      return this.fail(`${api.name} v${header.apiVersion} is not supported (${api.minVersion}-${api.maxVersion})`);
    }
    let request: unknown;
    try {
      if (isFlexible(api, header.apiVersion)) r.taggedFields();
      request = api.decode(r, header.apiVersion);
    } catch (err) {
      if (err instanceof ProtocolDecodeError) return this.fail(`undecodable ${api.name} v${header.apiVersion} request: ${err.message}`);
      throw err;
    }
    const slot: PendingResponse | null = api.expectsResponse && !api.expectsResponse(request) ? null : { frame: null, done: false };
    if (slot) this.pending.push(slot);
    const ctx: RequestContext = {
      header,
      cluster: this.deps.cluster,
      groups: this.deps.groups,
      transactions: this.deps.transactions,
      advertised: this.advertised,
      clientHost: this.clientHost,
      signal: this.abort.signal,
      log: this.log,
      apis: this.deps.apis.list,
      sasl: this.sasl,
      security: this.deps.security,
    };
    // Synchronous handlers (produce, metadata) are answered without a closure per request.
    try {
      const result: unknown = api.handle(request, ctx);
      if (result instanceof Promise) {
        result.then(
          (response) => this.respond(slot, api, header, response),
          (err) => this.handlerFailed(api, err),
        );
      } else {
        this.respond(slot, api, header, result);
      }
    } catch (err) {
      this.handlerFailed(api, err);
    }
  }

  private respond(slot: PendingResponse | null, api: AnyApiDefinition, header: RequestHeader, response: unknown): void {
    if (!slot || this.closed) return;
    const w = new Writer();
    w.int32(0).int32(header.correlationId);
    // Response header v1 carries tagged fields; ApiVersions keeps header v0 whatever its version (KIP-511).
    if (isFlexible(api, header.apiVersion) && api.key !== ApiKey.ApiVersions) w.taggedFields();
    api.encode(w, response, header.apiVersion);
    const chunks = w.finish();
    chunks[0]!.writeInt32BE(w.length - 4, 0);
    slot.frame = chunks;
    slot.done = true;
    this.scheduleFlush();
  }

  private handlerFailed(api: AnyApiDefinition, err: unknown): void {
    this.fail(`${api.name} handler failed: ${(err as Error)?.message ?? String(err)}`, { stack: (err as Error)?.stack });
  }

  /** librdkafka probes with ApiVersions v3; the answer is v0-shaped with error 35 and the supported list. */
  private answerUnsupportedApiVersions(header: RequestHeader): void {
    const w = new Writer();
    w.int32(0).int32(header.correlationId).int16(ErrorCode.UNSUPPORTED_VERSION);
    w.array(this.deps.apis.list, (w2, api) => w2.int16(api.key).int16(api.minVersion).int16(api.maxVersion));
    const chunks = w.finish();
    chunks[0]!.writeInt32BE(w.length - 4, 0);
    this.pending.push({ frame: chunks, done: true });
    this.scheduleFlush();
  }

  /** After SaslHandshake v0 a frame is a bare SASL token, answered by a bare token; a refusal just closes. */
  private onRawSaslToken(token: Buffer): void {
    const outcome = this.sasl.authenticate(Buffer.from(token));
    if (outcome.errorCode !== ErrorCode.NONE) return this.fail(`SASL authentication refused: ${outcome.errorMessage}`);
    const w = new Writer();
    w.bytes(outcome.authBytes);
    this.pending.push({ frame: w.finish(), done: true });
    this.scheduleFlush();
  }

  /** Within onData, waits for the chunk's other requests so that their responses share one write. */
  private scheduleFlush(): void {
    if (this.dispatching) this.flushDue = true;
    else this.flush();
  }

  private flush(): void {
    this.flushDue = false;
    if (this.closed) return;
    const head = this.pending[0];
    if (head?.done && head.frame!.length === 1 && !this.pending[1]?.done) {
      // A lone one-chunk response (produce, metadata): a plain write, without cork's buffering.
      this.pending.shift();
      if (!this.socket.write(head.frame![0]!)) this.socket.pause();
      this.endIfRefused();
      return;
    }
    let ok = true;
    // Cork so a response's many chunks (header fields, record batches) leave in one write.
    this.socket.cork();
    while (this.pending.length > 0 && this.pending[0]!.done) {
      const { frame } = this.pending.shift()!;
      for (const chunk of frame!) ok = this.socket.write(chunk);
    }
    this.socket.uncork();
    // Stop reading requests while the client is not reading responses.
    if (!ok) this.socket.pause();
    this.endIfRefused();
  }

  /** A refused login: once its answer is written, end the connection (as Kafka does), so the client does not retry into it. */
  private endIfRefused(): void {
    if (!this.sasl.closeAfterResponse || this.pending.length > 0 || this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.socket.end();
    // A client that never reads must not hold the socket open.
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }
}

/** With client authentication on, a TLS client is who its verified certificate says (mTLS). */
function transportPrincipal(socket: Socket): string {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return ANONYMOUS;
  const subject = socket.getPeerX509Certificate()?.subject;
  return subject ? sslPrincipal(subject) : ANONYMOUS;
}

function isFlexible(api: AnyApiDefinition, version: number): boolean {
  return api.flexibleFrom !== undefined && version >= api.flexibleFrom;
}

function stripV4Mapped(addr: string): string {
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}
