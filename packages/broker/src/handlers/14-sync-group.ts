import { defineApi, type RequestContext } from '../api/types';
import { decodeSyncGroupRequest, encodeSyncGroupResponse, SYNC_GROUP_FLEXIBLE_FROM, type SyncGroupRequest, type SyncGroupResponse } from '../codecs/14-sync-group';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { groupAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

/** A follower's SyncGroup waits for the leader's, which carries everyone's assignment. */
async function handleSyncGroup(req: SyncGroupRequest, ctx: RequestContext): Promise<SyncGroupResponse> {
  if (!groupAllowed(ctx, AclOperation.READ, req.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, assignment: Buffer.alloc(0) };
  // v5+: a member that names another protocol than the group's is refused, as Kafka does.
  const current = ctx.groups.describe(req.groupId);
  if (
    (req.protocolType !== null && current.protocolType !== '' && req.protocolType !== current.protocolType) ||
    (req.protocolName !== null && current.protocol !== '' && req.protocolName !== current.protocol)
  ) {
    return { errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, assignment: Buffer.alloc(0) };
  }
  const synced = await ctx.groups.sync({ groupId: req.groupId, generationId: req.generationId, memberId: req.memberId, assignments: req.assignments }, ctx.signal);
  if (synced.errorCode !== ErrorCode.NONE) return synced;
  const group = ctx.groups.describe(req.groupId);
  return { ...synced, protocolType: group.protocolType || null, protocolName: group.protocol || null };
}

export const syncGroupApi = defineApi<SyncGroupRequest, SyncGroupResponse>({
  key: ApiKey.SyncGroup,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: SYNC_GROUP_FLEXIBLE_FROM,
  decode: decodeSyncGroupRequest,
  encode: encodeSyncGroupResponse,
  handle: handleSyncGroup,
});
