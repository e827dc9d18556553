import { defineApi, type RequestContext } from '../api/types';
import { decodeJoinGroupRequest, JOIN_GROUP_FLEXIBLE_FROM, encodeJoinGroupResponse, type JoinGroupRequest, type JoinGroupResponse } from '../codecs/11-join-group';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { groupAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

/** JoinGroup waits (possibly for the whole rebalance timeout) until the group's next generation forms. */
function handleJoinGroup(req: JoinGroupRequest, ctx: RequestContext): JoinGroupResponse | Promise<JoinGroupResponse> {
  if (!groupAllowed(ctx, AclOperation.READ, req.groupId)) {
    return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, generationId: -1, protocolName: '', leaderId: '', memberId: req.memberId, members: [] };
  }
  const joined = ctx.groups.join(
    {
      groupId: req.groupId,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: ctx.header.clientId ?? '',
      clientHost: ctx.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      // KIP-394: from v4 a new member first learns its id, so a lost response cannot leave a ghost member.
      requireKnownMemberId: ctx.header.apiVersion >= 4,
    },
    ctx.signal,
  );
  // v7+ echoes the protocol type once the member is in a generation.
  return joined.then((res) => ({ ...res, protocolType: res.errorCode === ErrorCode.NONE ? req.protocolType : null }));
}

export const joinGroupApi = defineApi<JoinGroupRequest, JoinGroupResponse>({
  key: ApiKey.JoinGroup,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 9,
  flexibleFrom: JOIN_GROUP_FLEXIBLE_FROM,
  decode: decodeJoinGroupRequest,
  encode: encodeJoinGroupResponse,
  handle: handleJoinGroup,
});
