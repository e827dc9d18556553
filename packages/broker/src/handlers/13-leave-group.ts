import { defineApi } from '../api/types';
import { decodeLeaveGroupRequest, encodeLeaveGroupResponse, type LeaveGroupRequest, type LeaveGroupResponse } from '../codecs/13-leave-group';
import { ApiKey } from '../protocol/api-keys';

export const leaveGroupApi = defineApi<LeaveGroupRequest, LeaveGroupResponse>({
  key: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 1,
  decode: decodeLeaveGroupRequest,
  encode: encodeLeaveGroupResponse,
  handle: (req, ctx) => ({ errorCode: ctx.groups.leave(req.groupId, req.memberId) }),
});
