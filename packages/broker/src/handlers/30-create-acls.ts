import { defineApi } from '../api/types';
import { decodeCreateAclsRequest, encodeCreateAclsResponse, type CreateAclsRequest, type CreateAclsResponse } from '../codecs/30-create-acls';
import { ACLS_FLEXIBLE_FROM } from '../codecs/acl-fields';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { clusterAllowed } from '../security/access';
import { AclOperation, aclBindingProblem } from '../security/acl';

export const createAclsApi = defineApi<CreateAclsRequest, CreateAclsResponse>({
  key: ApiKey.CreateAcls,
  name: 'CreateAcls',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: ACLS_FLEXIBLE_FROM,
  decode: decodeCreateAclsRequest,
  encode: encodeCreateAclsResponse,
  handle: (req, ctx) => {
    const acls = ctx.security.acls;
    const all = (errorCode: ErrorCode, errorMessage: string) => ({ results: req.creations.map(() => ({ errorCode, errorMessage })) });
    if (!acls) return all(ErrorCode.SECURITY_DISABLED, 'no authorizer is configured on this broker');
    if (!clusterAllowed(ctx, AclOperation.ALTER)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'ALTER on the cluster is not allowed');
    const response = {
      results: req.creations.map((binding) => {
        const problem = aclBindingProblem(binding);
        if (problem) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem };
        acls.add(binding);
        ctx.log.info({ principal: ctx.sasl.principal, acl: binding }, 'ACL created');
        return { errorCode: ErrorCode.NONE, errorMessage: null };
      }),
    };
    ctx.security.changed();
    return response;
  },
});
