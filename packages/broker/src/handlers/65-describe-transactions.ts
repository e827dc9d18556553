import { defineApi, type RequestContext } from '../api/types';
import {
  decodeDescribeTransactionsRequest,
  encodeDescribeTransactionsResponse,
  type DescribedTransaction,
  type DescribeTransactionsRequest,
  type DescribeTransactionsResponse,
} from '../codecs/65-describe-transactions';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { allowed } from '../security/access';
import { AclOperation, ResourceType } from '../security/acl';

function describe(transactionalId: string, ctx: RequestContext): DescribedTransaction {
  const none = (errorCode: ErrorCode): DescribedTransaction => ({ errorCode, transactionalId, state: '', timeoutMs: 0, startTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] });
  if (!allowed(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, transactionalId)) return none(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  const m = ctx.transactions.describe(transactionalId);
  if (!m) return none(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  const byTopic = new Map<string, number[]>();
  for (const p of m.partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
  return {
    errorCode: ErrorCode.NONE,
    transactionalId,
    state: m.state,
    timeoutMs: m.timeoutMs,
    startTimeMs: m.startedAtMs,
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  };
}

export const describeTransactionsApi = defineApi<DescribeTransactionsRequest, DescribeTransactionsResponse>({
  key: ApiKey.DescribeTransactions,
  name: 'DescribeTransactions',
  minVersion: 0,
  maxVersion: 0,
  flexibleFrom: 0,
  decode: decodeDescribeTransactionsRequest,
  encode: encodeDescribeTransactionsResponse,
  handle: (req, ctx) => ({ transactions: req.transactionalIds.map((id) => describe(id, ctx)) }),
});
