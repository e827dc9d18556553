import { endStruct, readArray, readNullableString, readString, skipTaggedFields, writeArray, writeNullableString, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const LEAVE_GROUP_FLEXIBLE_FROM = 4;

export interface LeavingMember {
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveGroupRequest {
  groupId: string;
  /** v0-2: the one member leaving; v3+ (KIP-345): a batch. */
  members: LeavingMember[];
}

export interface LeaveGroupResponse {
  errorCode: number;
  /** v3+: each member's outcome. */
  members: Array<LeavingMember & { errorCode: number }>;
}

export function decodeLeaveGroupRequest(r: Reader, version: number): LeaveGroupRequest {
  const flexible = version >= LEAVE_GROUP_FLEXIBLE_FROM;
  const groupId = readString(r, flexible);
  let members: LeavingMember[];
  if (version < 3) members = [{ memberId: readString(r, flexible), groupInstanceId: null }];
  else {
    members = readArray(r, flexible, (m) => {
      const member = { memberId: readString(m, flexible), groupInstanceId: readNullableString(m, flexible) };
      if (version >= 5) readNullableString(m, flexible); // reason, for the broker's log
      return member;
    });
  }
  skipTaggedFields(r, flexible);
  return { groupId, members };
}

export function encodeLeaveGroupResponse(w: Writer, res: LeaveGroupResponse, version: number): void {
  const flexible = version >= LEAVE_GROUP_FLEXIBLE_FROM;
  if (version >= 1) w.int32(0); // throttle time
  w.int16(res.errorCode);
  if (version >= 3) {
    writeArray(w, res.members, flexible, (w, m) => {
      writeString(w, m.memberId, flexible);
      writeNullableString(w, m.groupInstanceId, flexible);
      w.int16(m.errorCode);
    });
  }
  endStruct(w, flexible);
}
