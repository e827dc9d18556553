import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface LeaveGroupRequest {
  groupId: string;
  memberId: string;
}

export interface LeaveGroupResponse {
  errorCode: number;
}

export function decodeLeaveGroupRequest(r: Reader, _version: number): LeaveGroupRequest {
  return { groupId: r.string(), memberId: r.string() };
}

export function encodeLeaveGroupResponse(w: Writer, res: LeaveGroupResponse, version: number): void {
  if (version >= 1) w.int32(0); // throttle time
  w.int16(res.errorCode);
}
