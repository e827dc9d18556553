import { defineApi } from '../api/types';
import { decodeHeartbeatRequest, HEARTBEAT_FLEXIBLE_FROM, encodeHeartbeatResponse, type HeartbeatRequest, type HeartbeatResponse } from '../codecs/12-heartbeat';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { groupAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

export const heartbeatApi = defineApi<HeartbeatRequest, HeartbeatResponse>({
  key: ApiKey.Heartbeat,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: HEARTBEAT_FLEXIBLE_FROM,
  decode: decodeHeartbeatRequest,
  encode: encodeHeartbeatResponse,
  handle: (req, ctx) => ({
    errorCode: groupAllowed(ctx, AclOperation.READ, req.groupId) ? ctx.groups.heartbeat(req.groupId, req.generationId, req.memberId) : ErrorCode.GROUP_AUTHORIZATION_FAILED,
  }),
});
