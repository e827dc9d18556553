import { defineApi } from '../api/types';
import { decodeHeartbeatRequest, encodeHeartbeatResponse, type HeartbeatRequest, type HeartbeatResponse } from '../codecs/12-heartbeat';
import { ApiKey } from '../protocol/api-keys';

export const heartbeatApi = defineApi<HeartbeatRequest, HeartbeatResponse>({
  key: ApiKey.Heartbeat,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 3,
  decode: decodeHeartbeatRequest,
  encode: encodeHeartbeatResponse,
  handle: (req, ctx) => ({ errorCode: ctx.groups.heartbeat(req.groupId, req.generationId, req.memberId) }),
});
