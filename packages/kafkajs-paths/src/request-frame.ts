import { isInt, stringBytes, writeString } from './wire';
import { encoderOver, type EncoderClass, type EncoderLike } from './record-codec';

/**
 * kafkajs 2.2.4's request framing (`protocol/request.js`) with the same bytes, in one exactly sized
 * buffer: size, api key, api version, correlation id, client id, then the request's payload. See
 * index.ts for why and how it replaces kafkajs's.
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

/** kafkajs's request framing, writing what it can exactly in one pass and handing anything odd to kafkajs's own. */
export function fastRequestFrame(original: CreateRequest, Encoder: EncoderClass): CreateRequest {
  return async (args) => {
    const { correlationId, clientId, request } = args;
    const { apiKey, apiVersion, encode } = request;
    // Called as kafkajs calls it: once, and not as a method.
    const payload = await encode();
    // kafkajs writes a null client id as length -1.
    const clientIdBytes = clientId == null ? -1 : stringBytes(clientId);
    if (!isInt(apiKey, 16) || !isInt(apiVersion, 16) || !isInt(correlationId, 32) || clientIdBytes === undefined || !isKafkajsEncoder(payload, Encoder)) {
      // kafkajs's own framing of the same payload: its bytes, or its error.
      return original({ correlationId, clientId, request: { apiKey, apiVersion, encode: () => payload } });
    }
    const size = HEADER_BYTES + Math.max(clientIdBytes, 0) + payload.offset;
    const buf = Buffer.allocUnsafe(4 + size);
    buf.writeInt32BE(size, 0);
    buf.writeInt16BE(apiKey, 4);
    buf.writeInt16BE(apiVersion, 6);
    buf.writeInt32BE(correlationId, 8);
    const at = writeString(buf, 12, clientId == null ? null : (clientId as string), clientIdBytes);
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
