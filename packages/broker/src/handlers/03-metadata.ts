import { defineApi, type RequestContext } from '../api/types';
import { decodeMetadataRequest, encodeMetadataResponse, type MetadataRequest, type MetadataResponse, type MetadataTopic } from '../codecs/03-metadata';
import type { Topic } from '../state/topic';
import { topicNameProblem } from '../state/cluster';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';

function describeTopic(topic: Topic, nodeId: number): MetadataTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    isInternal: topic.name.startsWith('__'),
    partitions: topic.partitions.map((p) => ({ errorCode: ErrorCode.NONE, index: p.index, leaderId: nodeId, replicas: [nodeId], isr: [nodeId] })),
  };
}

/** One broker, at the address the client reached us on, leads every partition. */
function handleMetadata(req: MetadataRequest, ctx: RequestContext): MetadataResponse {
  const { nodeId, clusterId } = ctx.cluster.config;
  const names = req.topics ?? [...ctx.cluster.topics.keys()].sort();
  const topics = names.map((name): MetadataTopic => {
    const topic = ctx.cluster.topicOrAutoCreate(name, req.topics !== null && req.allowAutoTopicCreation);
    if (topic) return describeTopic(topic, nodeId);
    const errorCode = topicNameProblem(name) ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    return { errorCode, name, isInternal: false, partitions: [] };
  });
  return { brokers: [{ nodeId, host: ctx.advertised.host, port: ctx.advertised.port }], clusterId, controllerId: nodeId, topics };
}

export const metadataApi = defineApi<MetadataRequest, MetadataResponse>({
  key: ApiKey.Metadata,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 4,
  decode: decodeMetadataRequest,
  encode: encodeMetadataResponse,
  handle: handleMetadata,
});
