import { defineApi, type RequestContext } from '../api/types';
import { decodeTxnOffsetCommitRequest, encodeTxnOffsetCommitResponse, type TxnOffsetCommitRequest, type TxnOffsetCommitResponse } from '../codecs/28-txn-offset-commit';
import { TXN_APIS_FLEXIBLE_FROM } from '../codecs/txn-fields';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { groupAllowed, topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';
import { MAX_OFFSET_METADATA_CHARS } from './08-offset-commit';
import { fencedCodeFor, transactionalIdAllowed } from './transactions';

/**
 * Offsets sent to a transaction: held by the coordinator with the
 * transaction and written to the group only when it commits. Partitions
 * that do not exist or carry oversized metadata get their own error.
 */
function handleTxnOffsetCommit(req: TxnOffsetCommitRequest, ctx: RequestContext): TxnOffsetCommitResponse {
  const answer = (codeOf: (topic: string, partition: number) => ErrorCode): TxnOffsetCommitResponse => ({
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ index: p.index, errorCode: codeOf(t.name, p.index) })) })),
  });
  if (!transactionalIdAllowed(ctx, req.transactionalId)) return answer(() => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  if (req.groupId === '') return answer(() => ErrorCode.INVALID_GROUP_ID);
  if (!groupAllowed(ctx, AclOperation.READ, req.groupId)) return answer(() => ErrorCode.GROUP_AUTHORIZATION_FAILED);
  // KIP-447: a consumer that names its generation must still be a member of it.
  if (req.generationId >= 0) {
    const permission = ctx.groups.commitPermission(req.groupId, req.generationId, req.memberId);
    if (permission !== ErrorCode.NONE) return answer(() => permission);
  }
  const problems = new Map<string, ErrorCode>();
  const offsets: Array<{ topic: string; partition: number; offset: number; metadata: string | null }> = [];
  for (const t of req.topics) {
    const topic = ctx.cluster.topics.get(t.name);
    const readable = topicAllowed(ctx, AclOperation.READ, t.name);
    for (const p of t.partitions) {
      const key = `${p.index}:${t.name}`;
      if (!readable) problems.set(key, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      else if (!topic || p.index < 0 || p.index >= topic.partitions.length) problems.set(key, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      else if (p.metadata !== null && p.metadata.length > MAX_OFFSET_METADATA_CHARS) problems.set(key, ErrorCode.OFFSET_METADATA_TOO_LARGE);
      else offsets.push({ topic: t.name, partition: p.index, offset: p.offset, metadata: p.metadata });
    }
  }
  const outcome = offsets.length > 0 ? fencedCodeFor(ctx.transactions.commitOffsets(req.transactionalId, req, req.groupId, offsets), ctx.header.apiVersion, 3) : ErrorCode.NONE;
  return answer((topic, partition) => problems.get(`${partition}:${topic}`) ?? outcome);
}

export const txnOffsetCommitApi = defineApi<TxnOffsetCommitRequest, TxnOffsetCommitResponse>({
  key: ApiKey.TxnOffsetCommit,
  name: 'TxnOffsetCommit',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: TXN_APIS_FLEXIBLE_FROM,
  decode: decodeTxnOffsetCommitRequest,
  encode: encodeTxnOffsetCommitResponse,
  handle: handleTxnOffsetCommit,
});
