import { defineApi } from '../api/types';
import { decodeDescribeGroupsRequest, encodeDescribeGroupsResponse, type DescribeGroupsRequest, type DescribeGroupsResponse } from '../codecs/15-describe-groups';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { groupAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

export const describeGroupsApi = defineApi<DescribeGroupsRequest, DescribeGroupsResponse>({
  key: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 2,
  decode: decodeDescribeGroupsRequest,
  encode: encodeDescribeGroupsResponse,
  handle: (req, ctx) => ({
    groups: req.groupIds.map((groupId) =>
      groupAllowed(ctx, AclOperation.DESCRIBE, groupId)
        ? ctx.groups.describe(groupId)
        : { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId, state: '', protocolType: '', protocol: '', members: [] },
    ),
  }),
});
