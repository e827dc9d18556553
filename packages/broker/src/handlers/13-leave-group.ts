import { defineApi, type RequestContext } from '../api/types';
import { decodeLeaveGroupRequest, encodeLeaveGroupResponse, LEAVE_GROUP_FLEXIBLE_FROM, type LeaveGroupRequest, type LeaveGroupResponse, type LeavingMember } from '../codecs/13-leave-group';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { groupAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

/** A static member may leave by its instance id alone (empty member id), as an admin's removeMembers does. */
function leaveOne(groupId: string, member: LeavingMember, ctx: RequestContext): ErrorCode {
  let memberId = member.memberId;
  if (memberId === '' && member.groupInstanceId !== null) {
    memberId = ctx.groups.describe(groupId).members.find((m) => m.groupInstanceId === member.groupInstanceId)?.memberId ?? '';
  }
  return ctx.groups.leave(groupId, memberId);
}

function handleLeaveGroup(req: LeaveGroupRequest, ctx: RequestContext): LeaveGroupResponse {
  if (!groupAllowed(ctx, AclOperation.READ, req.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
  const members = req.members.map((m) => ({ ...m, errorCode: leaveOne(req.groupId, m, ctx) }));
  // v0-2 carry the one member's outcome at the top; v3+ answer per member (Kafka's top level stays NONE then).
  const errorCode = ctx.header.apiVersion < 3 ? (members[0]?.errorCode ?? ErrorCode.NONE) : ErrorCode.NONE;
  return { errorCode, members };
}

export const leaveGroupApi = defineApi<LeaveGroupRequest, LeaveGroupResponse>({
  key: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: LEAVE_GROUP_FLEXIBLE_FROM,
  decode: decodeLeaveGroupRequest,
  encode: encodeLeaveGroupResponse,
  handle: handleLeaveGroup,
});
