import { defineApi } from '../api/types';
import { decodeInitProducerIdRequest, encodeInitProducerIdResponse, INIT_PRODUCER_ID_FLEXIBLE_FROM, type InitProducerIdRequest, type InitProducerIdResponse } from '../codecs/22-init-producer-id';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { allowedOnAnyOfType, clusterAllowed } from '../security/access';
import { AclOperation, ResourceType } from '../security/acl';
import { fencedCodeFor, transactionalIdAllowed } from './transactions';

const refused = (errorCode: ErrorCode): InitProducerIdResponse => ({ errorCode, producerId: -1, producerEpoch: -1 });

export const initProducerIdApi = defineApi<InitProducerIdRequest, InitProducerIdResponse>({
  key: ApiKey.InitProducerId,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: INIT_PRODUCER_ID_FLEXIBLE_FROM,
  decode: decodeInitProducerIdRequest,
  encode: encodeInitProducerIdResponse,
  handle: (req, ctx) => {
    if (req.transactionalId !== null) {
      // A transactional producer: the transaction coordinator gives it its id and a bumped epoch, fencing older instances.
      if (req.transactionalId === '') return refused(ErrorCode.INVALID_REQUEST);
      if (!transactionalIdAllowed(ctx, req.transactionalId)) return refused(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      const expected = req.producerId >= 0 ? { producerId: req.producerId, producerEpoch: req.producerEpoch } : null;
      const result = ctx.transactions.initProducerId(req.transactionalId, req.transactionTimeoutMs, expected);
      return { ...result, errorCode: fencedCodeFor(result.errorCode, ctx.header.apiVersion, 4) };
    }
    // KIP-679: IDEMPOTENT_WRITE on the cluster, or WRITE on some topic, lets a producer be idempotent.
    if (!clusterAllowed(ctx, AclOperation.IDEMPOTENT_WRITE) && !allowedOnAnyOfType(ctx, AclOperation.WRITE, ResourceType.TOPIC)) {
      return refused(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    return { errorCode: ErrorCode.NONE, producerId: ctx.cluster.allocateProducerId(), producerEpoch: 0 };
  },
});
