import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** v3+. */
  groupInstanceId: string | null;
  /** Only the leader sends assignments; followers send an empty list. */
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface SyncGroupResponse {
  errorCode: number;
  assignment: Buffer;
}

export function decodeSyncGroupRequest(r: Reader, version: number): SyncGroupRequest {
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  const groupInstanceId = version >= 3 ? r.nullableString() : null;
  // Copied: assignments outlive the request frame they arrived in.
  const assignments = r.array((a) => ({ memberId: a.string(), assignment: Buffer.from(a.bytes()) }));
  return { groupId, generationId, memberId, groupInstanceId, assignments };
}

export function encodeSyncGroupResponse(w: Writer, res: SyncGroupResponse, version: number): void {
  if (version >= 1) w.int32(0); // throttle time
  w.int16(res.errorCode).bytes(res.assignment);
}
