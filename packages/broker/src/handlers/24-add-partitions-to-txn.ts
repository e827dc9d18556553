import { defineApi, type RequestContext } from '../api/types';
import { decodeAddPartitionsToTxnRequest, encodeAddPartitionsToTxnResponse, type AddPartitionsToTxnRequest, type AddPartitionsToTxnResponse } from '../codecs/24-add-partitions-to-txn';
import { TXN_APIS_FLEXIBLE_FROM } from '../codecs/txn-fields';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';
import { fencedCodeFor, transactionalIdAllowed } from './transactions';

/**
 * All or nothing, as in Kafka: when any partition is refused (unknown,
 * not writable), the others answer OPERATION_NOT_ATTEMPTED and none joins.
 */
function handleAddPartitionsToTxn(req: AddPartitionsToTxnRequest, ctx: RequestContext): AddPartitionsToTxnResponse {
  const answer = (codeOf: (topic: string, partition: number) => ErrorCode): AddPartitionsToTxnResponse => ({
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((index) => ({ index, errorCode: codeOf(t.name, index) })) })),
  });
  if (!transactionalIdAllowed(ctx, req.transactionalId)) return answer(() => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  const problems = new Map<string, ErrorCode>();
  for (const t of req.topics) {
    const topic = ctx.cluster.topics.get(t.name);
    const writable = topicAllowed(ctx, AclOperation.WRITE, t.name);
    for (const index of t.partitions) {
      if (!writable) problems.set(`${index}:${t.name}`, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      else if (!topic || index < 0 || index >= topic.partitions.length) problems.set(`${index}:${t.name}`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    }
  }
  if (problems.size > 0) return answer((topic, partition) => problems.get(`${partition}:${topic}`) ?? ErrorCode.OPERATION_NOT_ATTEMPTED);
  const partitions = req.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  const outcome = ctx.transactions.addPartitions(req.transactionalId, req, partitions);
  const errorCode = fencedCodeFor(outcome, ctx.header.apiVersion, 2);
  return answer(() => errorCode);
}

export const addPartitionsToTxnApi = defineApi<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>({
  key: ApiKey.AddPartitionsToTxn,
  name: 'AddPartitionsToTxn',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: TXN_APIS_FLEXIBLE_FROM,
  decode: decodeAddPartitionsToTxnRequest,
  encode: encodeAddPartitionsToTxnResponse,
  handle: handleAddPartitionsToTxn,
});
