import { defineApi } from '../api/types';
import { decodeDeleteAclsRequest, encodeDeleteAclsResponse, type DeleteAclsRequest, type DeleteAclsResponse } from '../codecs/31-delete-acls';
import { ACLS_FLEXIBLE_FROM } from '../codecs/acl-fields';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { clusterAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

export const deleteAclsApi = defineApi<DeleteAclsRequest, DeleteAclsResponse>({
  key: ApiKey.DeleteAcls,
  name: 'DeleteAcls',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: ACLS_FLEXIBLE_FROM,
  decode: decodeDeleteAclsRequest,
  encode: encodeDeleteAclsResponse,
  handle: (req, ctx) => {
    const acls = ctx.security.acls;
    const all = (errorCode: ErrorCode, errorMessage: string) => ({ results: req.filters.map(() => ({ errorCode, errorMessage, matching: [] })) });
    if (!acls) return all(ErrorCode.SECURITY_DISABLED, 'no authorizer is configured on this broker');
    if (!clusterAllowed(ctx, AclOperation.ALTER)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'ALTER on the cluster is not allowed');
    const response = {
      results: req.filters.map((filter) => {
        const matching = acls.delete(filter);
        if (matching.length > 0) ctx.log.info({ principal: ctx.sasl.principal, deleted: matching.length }, 'ACLs deleted');
        return { errorCode: ErrorCode.NONE, errorMessage: null, matching };
      }),
    };
    ctx.security.changed();
    return response;
  },
});
