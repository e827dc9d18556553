import { endStruct, readArray, readString, skipTaggedFields, writeArray, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const DELETE_RECORDS_FLEXIBLE_FROM = 2;

export interface DeleteRecordsRequest {
  /** offset -1: everything up to the high watermark. */
  topics: Array<{ name: string; partitions: Array<{ index: number; offset: number }> }>;
  timeoutMs: number;
}

export interface DeleteRecordsResponse {
  topics: Array<{ name: string; partitions: Array<{ index: number; lowWatermark: number; errorCode: number }> }>;
}

export function decodeDeleteRecordsRequest(r: Reader, version: number): DeleteRecordsRequest {
  const flexible = version >= DELETE_RECORDS_FLEXIBLE_FROM;
  const topics = readArray(r, flexible, (t) => ({ name: readString(t, flexible), partitions: readArray(t, flexible, (p) => ({ index: p.int32(), offset: p.int64() })) }));
  const timeoutMs = r.int32();
  skipTaggedFields(r, flexible);
  return { topics, timeoutMs };
}

export function encodeDeleteRecordsResponse(w: Writer, res: DeleteRecordsResponse, version: number): void {
  const flexible = version >= DELETE_RECORDS_FLEXIBLE_FROM;
  w.int32(0); // throttle time
  writeArray(w, res.topics, flexible, (w, t) => {
    writeString(w, t.name, flexible);
    writeArray(w, t.partitions, flexible, (w, p) => w.int32(p.index).int64(p.lowWatermark).int16(p.errorCode));
  });
  endStruct(w, flexible);
}
