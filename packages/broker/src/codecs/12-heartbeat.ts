import { endStruct, readNullableString, readString, skipTaggedFields } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const HEARTBEAT_FLEXIBLE_FROM = 4;

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
  const flexible = version >= HEARTBEAT_FLEXIBLE_FROM;
  const groupId = readString(r, flexible);
  const generationId = r.int32();
  const memberId = readString(r, flexible);
  const groupInstanceId = version >= 3 ? readNullableString(r, flexible) : null;
  skipTaggedFields(r, flexible);
  return { groupId, generationId, memberId, groupInstanceId };
}

export function encodeHeartbeatResponse(w: Writer, res: HeartbeatResponse, version: number): void {
  if (version >= 1) w.int32(0); // throttle time
  w.int16(res.errorCode);
  endStruct(w, version >= HEARTBEAT_FLEXIBLE_FROM);
}
