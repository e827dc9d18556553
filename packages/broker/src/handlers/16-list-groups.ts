import { defineApi } from '../api/types';
import { decodeListGroupsRequest, encodeListGroupsResponse, LIST_GROUPS_FLEXIBLE_FROM, type ListGroupsRequest, type ListGroupsResponse } from '../codecs/16-list-groups';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { clusterAllowed, groupAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

export const listGroupsApi = defineApi<ListGroupsRequest, ListGroupsResponse>({
  key: ApiKey.ListGroups,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: LIST_GROUPS_FLEXIBLE_FROM,
  decode: decodeListGroupsRequest,
  encode: encodeListGroupsResponse,
  // As in Kafka: DESCRIBE on the cluster lists every group, otherwise the groups one may describe.
  handle: (req, ctx) => {
    const all = ctx.groups.list();
    const visible = clusterAllowed(ctx, AclOperation.DESCRIBE) ? all : all.filter((g) => groupAllowed(ctx, AclOperation.DESCRIBE, g.groupId));
    // Kafka's state filter matches case-insensitively (kafka-consumer-groups --state stable).
    const states = new Set(req.statesFilter.map((s) => s.toLowerCase()));
    const groups = visible.map((g) => ({ ...g, state: ctx.groups.describe(g.groupId).state as string })).filter((g) => states.size === 0 || states.has(g.state.toLowerCase()));
    return { errorCode: ErrorCode.NONE, groups };
  },
});
