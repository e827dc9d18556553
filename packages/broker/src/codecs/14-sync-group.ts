import { endStruct, readArray, readBytes, readNullableString, readString, skipTaggedFields, writeBytes, writeNullableString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const SYNC_GROUP_FLEXIBLE_FROM = 4;

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** v3+. */
  groupInstanceId: string | null;
  /** v5+: what the member believes the group runs; checked against the group. */
  protocolType: string | null;
  protocolName: string | null;
  /** Only the leader sends assignments; followers send an empty list. */
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface SyncGroupResponse {
  errorCode: number;
  /** v5+. */
  protocolType?: string | null;
  protocolName?: string | null;
  assignment: Buffer;
}

export function decodeSyncGroupRequest(r: Reader, version: number): SyncGroupRequest {
  const flexible = version >= SYNC_GROUP_FLEXIBLE_FROM;
  const groupId = readString(r, flexible);
  const generationId = r.int32();
  const memberId = readString(r, flexible);
  const groupInstanceId = version >= 3 ? readNullableString(r, flexible) : null;
  const protocolType = version >= 5 ? readNullableString(r, flexible) : null;
  const protocolName = version >= 5 ? readNullableString(r, flexible) : null;
  // Copied: assignments outlive the request frame they arrived in.
  const assignments = readArray(r, flexible, (a) => ({ memberId: readString(a, flexible), assignment: Buffer.from(readBytes(a, flexible)) }));
  skipTaggedFields(r, flexible);
  return { groupId, generationId, memberId, groupInstanceId, protocolType, protocolName, assignments };
}

export function encodeSyncGroupResponse(w: Writer, res: SyncGroupResponse, version: number): void {
  const flexible = version >= SYNC_GROUP_FLEXIBLE_FROM;
  if (version >= 1) w.int32(0); // throttle time
  w.int16(res.errorCode);
  if (version >= 5) {
    writeNullableString(w, res.protocolType ?? null, flexible);
    writeNullableString(w, res.protocolName ?? null, flexible);
  }
  writeBytes(w, res.assignment, flexible);
  endStruct(w, flexible);
}
