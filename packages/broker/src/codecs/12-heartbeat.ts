import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** v3+. */
  groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  errorCode: number;
}

export function decodeHeartbeatRequest(r: Reader, version: number): HeartbeatRequest {
  return {
    groupId: r.string(),
    generationId: r.int32(),
    memberId: r.string(),
    groupInstanceId: version >= 3 ? r.nullableString() : null,
  };
}

export function encodeHeartbeatResponse(w: Writer, res: HeartbeatResponse, version: number): void {
  if (version >= 1) w.int32(0); // throttle time
  w.int16(res.errorCode);
}
