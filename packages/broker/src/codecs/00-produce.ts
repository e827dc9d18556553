import { endStruct, readArray, readNullableString, readString, skipTaggedFields, writeArray, writeNullableString, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const PRODUCE_FLEXIBLE_FROM = 9;

export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topics: Array<{ name: string; partitions: Array<{ index: number; records: Buffer | null }> }>;
}

export interface ProducePartitionResponse {
  index: number;
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
}

export interface ProduceResponse {
  topics: Array<{ name: string; partitions: ProducePartitionResponse[] }>;
}

export function decodeProduceRequest(r: Reader, version: number): ProduceRequest {
  const flexible = version >= PRODUCE_FLEXIBLE_FROM;
  const transactionalId = version >= 3 ? readNullableString(r, flexible) : null;
  const acks = r.int16();
  const timeoutMs = r.int32();
  const topics = readArray(r, flexible, (t) => ({
    name: readString(t, flexible),
    partitions: readArray(t, flexible, (p) => ({ index: p.int32(), records: flexible ? p.compactNullableBytes() : p.nullableBytes() })),
  }));
  skipTaggedFields(r, flexible);
  return { transactionalId, acks, timeoutMs, topics };
}

export function encodeProduceResponse(w: Writer, res: ProduceResponse, version: number): void {
  const flexible = version >= PRODUCE_FLEXIBLE_FROM;
  writeArray(w, res.topics, flexible, (w, t) => {
    writeString(w, t.name, flexible);
    writeArray(w, t.partitions, flexible, (w, p) => {
      w.int32(p.index).int16(p.errorCode).int64(p.baseOffset);
      if (version >= 2) w.int64(p.logAppendTimeMs);
      if (version >= 5) w.int64(p.logStartOffset);
      if (version >= 8) {
        // v8+ (KIP-467): per-record errors and a message; a batch is taken or refused whole here, so none.
        writeArray(w, [], flexible, () => undefined);
        writeNullableString(w, null, flexible);
      }
    });
  });
  if (version >= 1) w.int32(0); // throttle time
  endStruct(w, flexible);
}
