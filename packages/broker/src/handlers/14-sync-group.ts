import { defineApi, type RequestContext } from '../api/types';
import { decodeSyncGroupRequest, encodeSyncGroupResponse, type SyncGroupRequest, type SyncGroupResponse } from '../codecs/14-sync-group';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { groupAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

/** A follower's SyncGroup waits for the leader's, which carries everyone's assignment. */
function handleSyncGroup(req: SyncGroupRequest, ctx: RequestContext): SyncGroupResponse | Promise<SyncGroupResponse> {
  if (!groupAllowed(ctx, AclOperation.READ, req.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, assignment: Buffer.alloc(0) };
  return ctx.groups.sync({ groupId: req.groupId, generationId: req.generationId, memberId: req.memberId, assignments: req.assignments }, ctx.signal);
}

export const syncGroupApi = defineApi<SyncGroupRequest, SyncGroupResponse>({
  key: ApiKey.SyncGroup,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 3,
  decode: decodeSyncGroupRequest,
  encode: encodeSyncGroupResponse,
  handle: handleSyncGroup,
});
