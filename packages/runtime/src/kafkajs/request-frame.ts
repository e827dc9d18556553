import { encoderOver, type EncoderClass, type EncoderLike } from './record-codec';

/**
 * kafkajs 2.2.4's request framing (`protocol/request.js`) with the same bytes, in one exactly sized
 * buffer: size, api key, api version, correlation id, client id, then the request's payload. See
 * install.ts for why and how it replaces kafkajs's.
 *
 * kafkajs writes the header and the payload into a fresh encoder, then that into another behind
 * the size: per request, two zeroed allocations as large as the request and two copies of it. A
 * produce request of the worker is hundreds of kilobytes.
 */

/** What kafkajs's connection hands its request framing. */
export interface RequestFrameArgs {
  correlationId: unknown;
  clientId: unknown;
  request: { apiKey: unknown; apiVersion: unknown; encode: () => unknown };
}

export type CreateRequest = (args: RequestFrameArgs) => Promise<EncoderLike>;

/** api key, api version, correlation id, client id length. */
const HEADER_BYTES = 2 + 2 + 4 + 2;

const isInt = (value: unknown, min: number, max: number): value is number => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
const isInt16 = (value: unknown): value is number => isInt(value, -0x8000, 0x7fff);
const isInt32 = (value: unknown): value is number => isInt(value, -0x80000000, 0x7fffffff);

/** kafkajs's request framing, writing what it can exactly in one pass and handing anything odd to kafkajs's own. */
export function fastRequestFrame(original: CreateRequest, Encoder: EncoderClass): CreateRequest {
  return async (args) => {
    const { correlationId, clientId, request } = args;
    const { apiKey, apiVersion, encode } = request;
    // Called as kafkajs calls it: once, and not as a method.
    const payload = await encode();
    const clientIdBytes = typeof clientId === 'string' ? Buffer.byteLength(clientId) : clientId == null ? -1 : undefined;
    if (!isInt16(apiKey) || !isInt16(apiVersion) || !isInt32(correlationId) || clientIdBytes === undefined || clientIdBytes > 0x7fff || !isKafkajsEncoder(payload, Encoder)) {
      // kafkajs's own framing of the same payload: its bytes, or its error.
      return original({ correlationId, clientId, request: { apiKey, apiVersion, encode: () => payload } });
    }
    const size = HEADER_BYTES + Math.max(clientIdBytes, 0) + payload.offset;
    const buf = Buffer.allocUnsafe(4 + size);
    buf.writeInt32BE(size, 0);
    buf.writeInt16BE(apiKey, 4);
    buf.writeInt16BE(apiVersion, 6);
    buf.writeInt32BE(correlationId, 8);
    buf.writeInt16BE(clientIdBytes, 12);
    let at = 14;
    if (clientIdBytes > 0) at += buf.write(clientId as string, at, clientIdBytes, 'utf8');
    payload.buf.copy(buf, at, 0, payload.offset);
    return encoderOver(Encoder, buf, 4 + size);
  };
}

/** A kafkajs Encoder whose bytes so far are the first `offset` of `buf` (what kafkajs's writeEncoder copies, by its `buffer` getter). */
function isKafkajsEncoder(value: unknown, Encoder: EncoderClass): value is EncoderLike {
  if (!(value instanceof Encoder)) return false;
  const { buf, offset } = value;
  return Buffer.isBuffer(buf) && Number.isInteger(offset) && offset >= 0 && offset <= buf.length;
}
