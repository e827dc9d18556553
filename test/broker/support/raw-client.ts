import { connect, type Socket } from 'node:net';
import { Reader } from '../../../packages/broker/src/protocol/reader';
import { Writer } from '../../../packages/broker/src/protocol/writer';

/** Thrown when the broker closes the connection while requests are outstanding. */
export class RawConnectionClosedError extends Error {
  override readonly name = 'RawConnectionClosedError';
}

interface Outstanding {
  resolve: (body: Reader) => void;
  reject: (err: Error) => void;
}

/**
 * A bare Kafka-protocol client for tests that need exact control: a group
 * member that goes silent, a request version kafkajs never sends, or a look
 * at raw error codes kafkajs would retry away. Request header v1, responses
 * matched by correlation id.
 */
export class RawKafkaClient {
  private nextCorrelationId = 1;
  private readonly outstanding = new Map<number, Outstanding>();
  private buffered: Buffer = Buffer.alloc(0);
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly clientId: string,
  ) {
    socket.on('data', (data) => this.onData(data));
    socket.on('close', () => this.onClose());
    socket.on('error', () => this.onClose());
  }

  static open(host: string, port: number, clientId = 'raw-test-client'): Promise<RawKafkaClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => {
        socket.off('error', reject);
        resolve(new RawKafkaClient(socket, clientId));
      });
      socket.once('error', reject);
    });
  }

  /** Sends one request; resolves with a reader positioned after the response's correlation id. */
  request(apiKey: number, apiVersion: number, writeBody: (w: Writer) => void): Promise<Reader> {
    if (this.closed) return Promise.reject(new RawConnectionClosedError('connection already closed'));
    const correlationId = this.nextCorrelationId++;
    const w = new Writer();
    w.int32(0).int16(apiKey).int16(apiVersion).int32(correlationId).nullableString(this.clientId);
    writeBody(w);
    const frame = w.toBuffer();
    frame.writeInt32BE(frame.length - 4, 0);
    return new Promise((resolve, reject) => {
      this.outstanding.set(correlationId, { resolve, reject });
      this.socket.write(frame);
    });
  }

  private onData(data: Buffer): void {
    this.buffered = this.buffered.length === 0 ? data : Buffer.concat([this.buffered, data]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      const r = new Reader(frame);
      const correlationId = r.int32();
      const waiter = this.outstanding.get(correlationId);
      this.outstanding.delete(correlationId);
      waiter?.resolve(r);
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.outstanding.values()) w.reject(new RawConnectionClosedError('broker closed the connection'));
    this.outstanding.clear();
  }

  /** Closes the socket without any goodbye (no LeaveGroup), like a crashed client. */
  destroy(): void {
    this.socket.destroy();
    this.onClose();
  }
}
