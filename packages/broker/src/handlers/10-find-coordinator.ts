import { defineApi, type RequestContext } from '../api/types';
import { CoordinatorKeyType, decodeFindCoordinatorRequest, encodeFindCoordinatorResponse, type FindCoordinatorRequest, type FindCoordinatorResponse } from '../codecs/10-find-coordinator';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { allowed } from '../security/access';
import { AclOperation, ResourceType } from '../security/acl';

/** The single broker coordinates every group and transactional id, at the address the client reached. */
function handleFindCoordinator(req: FindCoordinatorRequest, ctx: RequestContext): FindCoordinatorResponse {
  const failure = (errorCode: ErrorCode, errorMessage: string): FindCoordinatorResponse => ({ errorCode, errorMessage, nodeId: -1, host: '', port: -1 });
  if (req.keyType !== CoordinatorKeyType.Group && req.keyType !== CoordinatorKeyType.Transaction) {
    return failure(ErrorCode.INVALID_REQUEST, `unknown coordinator key type ${req.keyType}`);
  }
  if (req.keyType === CoordinatorKeyType.Group && req.key === '') return failure(ErrorCode.INVALID_GROUP_ID, 'the group id is empty');
  if (req.keyType === CoordinatorKeyType.Group && !allowed(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, req.key)) {
    return failure(ErrorCode.GROUP_AUTHORIZATION_FAILED, `DESCRIBE on group '${req.key}' is not allowed`);
  }
  if (req.keyType === CoordinatorKeyType.Transaction && !allowed(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, req.key)) {
    return failure(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, `DESCRIBE on transactional id '${req.key}' is not allowed`);
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null, nodeId: ctx.cluster.config.nodeId, host: ctx.advertised.host, port: ctx.advertised.port };
}

export const findCoordinatorApi = defineApi<FindCoordinatorRequest, FindCoordinatorResponse>({
  key: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,
  decode: decodeFindCoordinatorRequest,
  encode: encodeFindCoordinatorResponse,
  handle: handleFindCoordinator,
});
