import { defineApi } from '../api/types';
import { decodeDeleteGroupsRequest, DELETE_GROUPS_FLEXIBLE_FROM, encodeDeleteGroupsResponse, type DeleteGroupsRequest, type DeleteGroupsResponse } from '../codecs/42-delete-groups';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { groupAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

export const deleteGroupsApi = defineApi<DeleteGroupsRequest, DeleteGroupsResponse>({
  key: ApiKey.DeleteGroups,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: DELETE_GROUPS_FLEXIBLE_FROM,
  decode: decodeDeleteGroupsRequest,
  encode: encodeDeleteGroupsResponse,
  handle: (req, ctx) => ({
    results: req.groupIds.map((groupId) => ({ groupId, errorCode: groupAllowed(ctx, AclOperation.DELETE, groupId) ? ctx.groups.deleteGroup(groupId) : ErrorCode.GROUP_AUTHORIZATION_FAILED })),
  }),
});
