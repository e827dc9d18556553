import { defineApi } from '../api/types';
import { AUTHORIZED_OPERATIONS_OMITTED } from '../codecs/03-metadata';
import { decodeDescribeGroupsRequest, DESCRIBE_GROUPS_FLEXIBLE_FROM, encodeDescribeGroupsResponse, type DescribeGroupsRequest, type DescribeGroupsResponse } from '../codecs/15-describe-groups';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { groupAllowed, groupOperations } from '../security/access';
import { AclOperation } from '../security/acl';

export const describeGroupsApi = defineApi<DescribeGroupsRequest, DescribeGroupsResponse>({
  key: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: DESCRIBE_GROUPS_FLEXIBLE_FROM,
  decode: decodeDescribeGroupsRequest,
  encode: encodeDescribeGroupsResponse,
  handle: (req, ctx) => ({
    groups: req.groupIds.map((groupId) =>
      groupAllowed(ctx, AclOperation.DESCRIBE, groupId)
        ? { ...ctx.groups.describe(groupId), authorizedOperations: req.includeAuthorizedOperations ? groupOperations(ctx, groupId) : AUTHORIZED_OPERATIONS_OMITTED }
        : { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId, state: '', protocolType: '', protocol: '', members: [], authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED },
    ),
  }),
});
