import { defineApi, type RequestContext } from '../api/types';
import {
  AUTHORIZED_OPERATIONS_OMITTED,
  decodeMetadataRequest,
  encodeMetadataResponse,
  METADATA_FLEXIBLE_FROM,
  ZERO_UUID,
  type MetadataRequest,
  type MetadataResponse,
  type MetadataTopic,
} from '../codecs/03-metadata';
import type { Topic } from '../state/topic';
import { topicNameProblem } from '../state/cluster';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { clusterOperations, mayCreateTopic, topicAllowed, topicOperations } from '../security/access';
import { AclOperation } from '../security/acl';

/** The one broker's leader epoch: leadership never moves. */
const LEADER_EPOCH = 0;

function describeTopic(topic: Topic, nodeId: number, req: MetadataRequest, ctx: RequestContext): MetadataTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.id,
    isInternal: topic.name.startsWith('__'),
    partitions: topic.partitions.map((p) => ({ errorCode: ErrorCode.NONE, index: p.index, leaderId: nodeId, leaderEpoch: LEADER_EPOCH, replicas: [nodeId], isr: [nodeId] })),
    authorizedOperations: req.includeTopicAuthorizedOperations ? topicOperations(ctx, topic.name) : AUTHORIZED_OPERATIONS_OMITTED,
  };
}

const failed = (errorCode: ErrorCode, name: string | null, topicId = ZERO_UUID): MetadataTopic => ({
  errorCode,
  name,
  topicId,
  isInternal: false,
  partitions: [],
  authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
});

/** One broker, at the address the client reached us on, leads every partition. */
function handleMetadata(req: MetadataRequest, ctx: RequestContext): MetadataResponse {
  const { nodeId, clusterId } = ctx.cluster.config;
  const byName = (name: string): MetadataTopic => {
    if (!topicAllowed(ctx, AclOperation.DESCRIBE, name)) return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED, name);
    const wantsCreate = req.allowAutoTopicCreation && !ctx.cluster.topics.has(name) && ctx.cluster.config.autoCreateTopics;
    if (wantsCreate && !mayCreateTopic(ctx, name)) return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED, name);
    const topic = ctx.cluster.topicOrAutoCreate(name, req.allowAutoTopicCreation);
    if (topic) return describeTopic(topic, nodeId, req, ctx);
    return failed(topicNameProblem(name) ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name);
  };
  let topics: MetadataTopic[];
  if (req.topics === null) {
    // Asked for all topics, a client sees those it may describe; asked by name, it learns which it may not.
    topics = [...ctx.cluster.topics.values()]
      .filter((t) => topicAllowed(ctx, AclOperation.DESCRIBE, t.name))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((t) => describeTopic(t, nodeId, req, ctx));
  } else {
    topics = req.topics.map((asked) => {
      if (asked.name !== null) return byName(asked.name);
      // By id (v10+): an unknown id, or one the client may not describe, is UNKNOWN_TOPIC_ID (Kafka hides which).
      const topic = ctx.cluster.topicById(asked.topicId);
      if (!topic || !topicAllowed(ctx, AclOperation.DESCRIBE, topic.name)) return failed(ErrorCode.UNKNOWN_TOPIC_ID, null, asked.topicId);
      return describeTopic(topic, nodeId, req, ctx);
    });
  }
  return {
    brokers: [{ nodeId, host: ctx.advertised.host, port: ctx.advertised.port }],
    clusterId,
    controllerId: nodeId,
    topics,
    clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? clusterOperations(ctx) : AUTHORIZED_OPERATIONS_OMITTED,
  };
}

export const metadataApi = defineApi<MetadataRequest, MetadataResponse>({
  key: ApiKey.Metadata,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 12,
  flexibleFrom: METADATA_FLEXIBLE_FROM,
  decode: decodeMetadataRequest,
  encode: encodeMetadataResponse,
  handle: handleMetadata,
});
