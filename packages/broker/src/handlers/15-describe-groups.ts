import { defineApi } from '../api/types';
import { decodeDescribeGroupsRequest, encodeDescribeGroupsResponse, type DescribeGroupsRequest, type DescribeGroupsResponse } from '../codecs/15-describe-groups';
import { ApiKey } from '../protocol/api-keys';

export const describeGroupsApi = defineApi<DescribeGroupsRequest, DescribeGroupsResponse>({
  key: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 2,
  decode: decodeDescribeGroupsRequest,
  encode: encodeDescribeGroupsResponse,
  handle: (req, ctx) => ({ groups: req.groupIds.map((groupId) => ctx.groups.describe(groupId)) }),
});
