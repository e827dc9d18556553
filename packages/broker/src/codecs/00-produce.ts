import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

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
  return {
    transactionalId: version >= 3 ? r.nullableString() : null,
    acks: r.int16(),
    timeoutMs: r.int32(),
    topics: r.array((t) => ({
      name: t.string(),
      partitions: t.array((p) => ({ index: p.int32(), records: p.nullableBytes() })),
    })),
  };
}

export function encodeProduceResponse(w: Writer, res: ProduceResponse, version: number): void {
  w.array(res.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      w.int32(p.index).int16(p.errorCode).int64(p.baseOffset);
      if (version >= 2) w.int64(p.logAppendTimeMs);
      if (version >= 5) w.int64(p.logStartOffset);
    });
  });
  if (version >= 1) w.int32(0);
}
