import { defineApi, type RequestContext } from '../api/types';
import { decodeMetadataRequest, encodeMetadataResponse, type MetadataRequest, type MetadataResponse, type MetadataTopic } from '../codecs/03-metadata';
import type { Topic } from '../state/topic';
import { topicNameProblem } from '../state/cluster';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { mayCreateTopic, topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

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
  // Asked for all topics, a client sees those it may describe; asked by name, it learns which it may not.
  const names = req.topics ?? [...ctx.cluster.topics.keys()].sort().filter((name) => topicAllowed(ctx, AclOperation.DESCRIBE, name));
  const topics = names.map((name): MetadataTopic => {
    if (!topicAllowed(ctx, AclOperation.DESCRIBE, name)) return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, isInternal: false, partitions: [] };
    const wantsCreate = req.topics !== null && req.allowAutoTopicCreation && !ctx.cluster.topics.has(name) && ctx.cluster.config.autoCreateTopics;
    if (wantsCreate && !mayCreateTopic(ctx, name)) return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, isInternal: false, partitions: [] };
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
