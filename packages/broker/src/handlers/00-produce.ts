import { defineApi, type RequestContext } from '../api/types';
import { decodeProduceRequest, PRODUCE_FLEXIBLE_FROM, encodeProduceResponse, type ProducePartitionResponse, type ProduceRequest, type ProduceResponse } from '../codecs/00-produce';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { mayCreateTopic, topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';
import { Attribute, readBatchHeader, splitBatches } from '../protocol/record-batch';
import { transactionalIdAllowed } from './transactions';

const failed = (index: number, errorCode: number): ProducePartitionResponse => ({ index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 });

/**
 * Transactional records come with their transactional id, from the producer
 * and epoch the coordinator knows, to a partition added to the open
 * transaction; plain records come without one.
 */
function transactionalProblem(transactionalId: string | null, firstBatch: Buffer, topic: string, partition: number, ctx: RequestContext): ErrorCode {
  const header = readBatchHeader(firstBatch);
  const transactional = (header.attributes & Attribute.transactional) !== 0;
  if (transactionalId === null) return transactional ? ErrorCode.INVALID_RECORD : ErrorCode.NONE;
  if (!transactionalIdAllowed(ctx, transactionalId)) return ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  if (!transactional) return ErrorCode.INVALID_RECORD;
  return ctx.transactions.checkProduce(transactionalId, header, { topic, partition });
}

function handleProduce(req: ProduceRequest, ctx: RequestContext): ProduceResponse {
  const version = ctx.header.apiVersion;
  if (![0, 1, -1].includes(req.acks)) {
    return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => failed(p.index, ErrorCode.INVALID_REQUIRED_ACKS)) })) };
  }
  return {
    topics: req.topics.map((t) => {
      if (!topicAllowed(ctx, AclOperation.WRITE, t.name)) return { name: t.name, partitions: t.partitions.map((p) => failed(p.index, ErrorCode.TOPIC_AUTHORIZATION_FAILED)) };
      const topic = ctx.cluster.topicOrAutoCreate(t.name, ctx.cluster.topics.has(t.name) || mayCreateTopic(ctx, t.name));
      return {
        name: t.name,
        partitions: t.partitions.map((p): ProducePartitionResponse => {
          const partition = topic?.partitions[p.index];
          if (!partition) return failed(p.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          // Produce v0-2 carry the old MessageSet format, which we do not store.
          if (version < 3) return failed(p.index, ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
          if (!p.records || p.records.length === 0) return failed(p.index, ErrorCode.CORRUPT_MESSAGE);
          const split = splitBatches(p.records);
          if ('problem' in split) {
            ctx.log.warn({ topic: t.name, partition: p.index }, `produce refused: ${split.problem.message}`);
            const code = split.problem.kind === 'unsupported-magic' ? ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT : ErrorCode.CORRUPT_MESSAGE;
            return failed(p.index, code);
          }
          const txnProblem = transactionalProblem(req.transactionalId, split.batches[0]!, t.name, p.index, ctx);
          if (txnProblem !== ErrorCode.NONE) return failed(p.index, txnProblem);
          const result = partition.append(split.batches);
          if (result.errorMessage) ctx.log.info({ topic: t.name, partition: p.index }, `produce refused: ${result.errorMessage}`);
          return { index: p.index, errorCode: result.errorCode, baseOffset: result.baseOffset, logAppendTimeMs: result.logAppendTime, logStartOffset: partition.logStartOffset };
        }),
      };
    }),
  };
}

export const produceApi = defineApi<ProduceRequest, ProduceResponse>({
  key: ApiKey.Produce,
  name: 'Produce',
  minVersion: 0,
  // v10 (KIP-951) adds only optional tagged fields (leader hints), which a single broker never needs to send.
  maxVersion: 10,
  flexibleFrom: PRODUCE_FLEXIBLE_FROM,
  decode: decodeProduceRequest,
  encode: encodeProduceResponse,
  handle: handleProduce,
  expectsResponse: (req) => req.acks !== 0,
});
