import { defineApi, type RequestContext } from '../api/types';
import {
  CoordinatorKeyType,
  decodeFindCoordinatorRequest,
  encodeFindCoordinatorResponse,
  FIND_COORDINATOR_FLEXIBLE_FROM,
  type Coordinator,
  type FindCoordinatorRequest,
  type FindCoordinatorResponse,
} from '../codecs/10-find-coordinator';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { allowed } from '../security/access';
import { AclOperation, ResourceType } from '../security/acl';

/** The single broker coordinates every group and transactional id, at the address the client reached. */
function findOne(key: string, keyType: number, ctx: RequestContext): Coordinator {
  const failure = (errorCode: ErrorCode, errorMessage: string): Coordinator => ({ key, errorCode, errorMessage, nodeId: -1, host: '', port: -1 });
  if (keyType !== CoordinatorKeyType.Group && keyType !== CoordinatorKeyType.Transaction) {
    return failure(ErrorCode.INVALID_REQUEST, `unknown coordinator key type ${keyType}`);
  }
  if (keyType === CoordinatorKeyType.Group && key === '') return failure(ErrorCode.INVALID_GROUP_ID, 'the group id is empty');
  if (keyType === CoordinatorKeyType.Group && !allowed(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, key)) {
    return failure(ErrorCode.GROUP_AUTHORIZATION_FAILED, `DESCRIBE on group '${key}' is not allowed`);
  }
  if (keyType === CoordinatorKeyType.Transaction && !allowed(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)) {
    return failure(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, `DESCRIBE on transactional id '${key}' is not allowed`);
  }
  return { key, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: ctx.cluster.config.nodeId, host: ctx.advertised.host, port: ctx.advertised.port };
}

function handleFindCoordinator(req: FindCoordinatorRequest, ctx: RequestContext): FindCoordinatorResponse {
  return { coordinators: req.keys.map((key) => findOne(key, req.keyType, ctx)) };
}

export const findCoordinatorApi = defineApi<FindCoordinatorRequest, FindCoordinatorResponse>({
  key: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: FIND_COORDINATOR_FLEXIBLE_FROM,
  decode: decodeFindCoordinatorRequest,
  encode: encodeFindCoordinatorResponse,
  handle: handleFindCoordinator,
});
