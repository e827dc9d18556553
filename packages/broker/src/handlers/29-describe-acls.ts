import { defineApi } from '../api/types';
import { decodeDescribeAclsRequest, encodeDescribeAclsResponse, type DescribeAclsRequest, type DescribeAclsResponse } from '../codecs/29-describe-acls';
import { ACLS_FLEXIBLE_FROM } from '../codecs/acl-fields';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { clusterAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

export const describeAclsApi = defineApi<DescribeAclsRequest, DescribeAclsResponse>({
  key: ApiKey.DescribeAcls,
  name: 'DescribeAcls',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: ACLS_FLEXIBLE_FROM,
  decode: decodeDescribeAclsRequest,
  encode: encodeDescribeAclsResponse,
  handle: (req, ctx) => {
    const acls = ctx.security.acls;
    if (!acls) return { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'no authorizer is configured on this broker', bindings: [] };
    if (!clusterAllowed(ctx, AclOperation.DESCRIBE)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'DESCRIBE on the cluster is not allowed', bindings: [] };
    return { errorCode: ErrorCode.NONE, errorMessage: null, bindings: acls.list(req) };
  },
});
