import { defineApi } from '../api/types';
import {
  decodeDescribeUserScramCredentialsRequest,
  encodeDescribeUserScramCredentialsResponse,
  type DescribedUserScramCredentials,
  type DescribeUserScramCredentialsRequest,
  type DescribeUserScramCredentialsResponse,
} from '../codecs/50-describe-user-scram-credentials';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { clusterAllowed } from '../security/access';
import { AclOperation } from '../security/acl';
import { SCRAM_MECHANISMS } from '../security/scram';

/** Mechanisms and iteration counts per user; never a salt or a key. */
export const describeUserScramCredentialsApi = defineApi<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse>({
  key: ApiKey.DescribeUserScramCredentials,
  name: 'DescribeUserScramCredentials',
  minVersion: 0,
  maxVersion: 0,
  flexibleFrom: 0,
  decode: decodeDescribeUserScramCredentialsRequest,
  encode: encodeDescribeUserScramCredentialsResponse,
  handle: (req, ctx) => {
    if (!clusterAllowed(ctx, AclOperation.DESCRIBE)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'DESCRIBE on the cluster is not allowed', results: [] };
    const store = ctx.security.credentials;
    const names = req.users ?? store.userNames();
    const seen = new Set<string>();
    const duplicates = new Set(names.filter((n) => (seen.has(n) ? true : (seen.add(n), false))));
    const results = [...new Set(names)].map((user): DescribedUserScramCredentials => {
      if (duplicates.has(user)) return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `user '${user}' is asked for more than once`, credentials: [] };
      const described = store.describe(user);
      if (!described) return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `user '${user}' has no SCRAM credentials`, credentials: [] };
      return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentials: described.map((c) => ({ mechanism: SCRAM_MECHANISMS[c.mechanism].code, iterations: c.iterations })) };
    });
    return { errorCode: ErrorCode.NONE, errorMessage: null, results };
  },
});
