import { defineApi } from '../api/types';
import { decodeListGroupsRequest, encodeListGroupsResponse, type ListGroupsRequest, type ListGroupsResponse } from '../codecs/16-list-groups';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { clusterAllowed, groupAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

export const listGroupsApi = defineApi<ListGroupsRequest, ListGroupsResponse>({
  key: ApiKey.ListGroups,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 2,
  decode: decodeListGroupsRequest,
  encode: encodeListGroupsResponse,
  // As in Kafka: DESCRIBE on the cluster lists every group, otherwise the groups one may describe.
  handle: (_req, ctx) => {
    const all = ctx.groups.list();
    const groups = clusterAllowed(ctx, AclOperation.DESCRIBE) ? all : all.filter((g) => groupAllowed(ctx, AclOperation.DESCRIBE, g.groupId));
    return { errorCode: ErrorCode.NONE, groups };
  },
});
