import { defineApi } from '../api/types';
import { decodeLeaveGroupRequest, encodeLeaveGroupResponse, type LeaveGroupRequest, type LeaveGroupResponse } from '../codecs/13-leave-group';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { groupAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

export const leaveGroupApi = defineApi<LeaveGroupRequest, LeaveGroupResponse>({
  key: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 1,
  decode: decodeLeaveGroupRequest,
  encode: encodeLeaveGroupResponse,
  handle: (req, ctx) => ({ errorCode: groupAllowed(ctx, AclOperation.READ, req.groupId) ? ctx.groups.leave(req.groupId, req.memberId) : ErrorCode.GROUP_AUTHORIZATION_FAILED }),
});
