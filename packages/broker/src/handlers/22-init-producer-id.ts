import { defineApi } from '../api/types';
import { decodeInitProducerIdRequest, encodeInitProducerIdResponse, type InitProducerIdRequest, type InitProducerIdResponse } from '../codecs/22-init-producer-id';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { allowedOnAnyOfType, clusterAllowed } from '../security/access';
import { AclOperation, ResourceType } from '../security/acl';
import { TRANSACTIONS_UNSUPPORTED } from './transactions';

export const initProducerIdApi = defineApi<InitProducerIdRequest, InitProducerIdResponse>({
  key: ApiKey.InitProducerId,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 1,
  decode: decodeInitProducerIdRequest,
  encode: encodeInitProducerIdResponse,
  handle: (req, ctx) => {
    if (req.transactionalId !== null) {
      ctx.log.warn({ transactionalId: req.transactionalId }, TRANSACTIONS_UNSUPPORTED);
      return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
    }
    // KIP-679: IDEMPOTENT_WRITE on the cluster, or WRITE on some topic, lets a producer be idempotent.
    if (!clusterAllowed(ctx, AclOperation.IDEMPOTENT_WRITE) && !allowedOnAnyOfType(ctx, AclOperation.WRITE, ResourceType.TOPIC)) {
      return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
    }
    return { errorCode: ErrorCode.NONE, producerId: ctx.cluster.allocateProducerId(), producerEpoch: 0 };
  },
});
