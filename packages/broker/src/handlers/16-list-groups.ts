import { defineApi } from '../api/types';
import { decodeListGroupsRequest, encodeListGroupsResponse, type ListGroupsRequest, type ListGroupsResponse } from '../codecs/16-list-groups';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';

export const listGroupsApi = defineApi<ListGroupsRequest, ListGroupsResponse>({
  key: ApiKey.ListGroups,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 2,
  decode: decodeListGroupsRequest,
  encode: encodeListGroupsResponse,
  handle: (_req, ctx) => ({ errorCode: ErrorCode.NONE, groups: ctx.groups.list() }),
});
