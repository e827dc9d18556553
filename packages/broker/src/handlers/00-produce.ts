import { defineApi, type RequestContext } from '../api/types';
import { decodeProduceRequest, encodeProduceResponse, type ProducePartitionResponse, type ProduceRequest, type ProduceResponse } from '../codecs/00-produce';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { mayCreateTopic, topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';
import { splitBatches } from '../protocol/record-batch';

const failed = (index: number, errorCode: number): ProducePartitionResponse => ({ index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 });

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
          if (req.transactionalId !== null) return failed(p.index, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
          if (!p.records || p.records.length === 0) return failed(p.index, ErrorCode.CORRUPT_MESSAGE);
          const split = splitBatches(p.records);
          if ('problem' in split) {
            ctx.log.warn({ topic: t.name, partition: p.index }, `produce refused: ${split.problem.message}`);
            const code = split.problem.kind === 'unsupported-magic' ? ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT : ErrorCode.CORRUPT_MESSAGE;
            return failed(p.index, code);
          }
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
  maxVersion: 7,
  decode: decodeProduceRequest,
  encode: encodeProduceResponse,
  handle: handleProduce,
  expectsResponse: (req) => req.acks !== 0,
});
