import { defineApi, type RequestContext } from '../api/types';
import { ZERO_UUID } from '../codecs/03-metadata';
import {
  CREATE_TOPICS_FLEXIBLE_FROM,
  decodeCreateTopicsRequest,
  encodeCreateTopicsResponse,
  type CreatableTopic,
  type CreatedTopicResult,
  type CreateTopicsRequest,
  type CreateTopicsResponse,
} from '../codecs/19-create-topics';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { mayCreateTopic } from '../security/access';
import { TOPIC_CONFIGS } from '../state/topic-config';

type Outcome = { errorCode: ErrorCode; errorMessage: string | null };

/** Kafka's checks of the request itself, before the cluster's (name, existence, configs). */
function requestProblem(t: CreatableTopic, nodeId: number): Outcome | null {
  if (t.assignments.length > 0) {
    if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.' };
    }
    const indexes = t.assignments.map((a) => a.index).sort((a, b) => a - b);
    if (indexes.some((index, i) => index !== i)) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'Partitions should be a consecutive 0-based integer sequence' };
    for (const a of t.assignments) {
      const unknown = a.brokerIds.filter((b) => b !== nodeId);
      if (a.brokerIds.length === 0 || unknown.length > 0)
        return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `Unknown broker(s) in replica assignment: ${unknown.join(', ') || 'none given'}.` };
      if (a.brokerIds.length > 1) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `Duplicate brokers not allowed in replica assignment: ${a.brokerIds.join(', ')}.` };
    }
    return null;
  }
  if (t.numPartitions === 0 || t.numPartitions < -1) return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Number of partitions must be larger than 0.' };
  if (t.replicationFactor === 0 || t.replicationFactor < -1) return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: 'Replication factor must be larger than 0.' };
  // One broker: a replication factor above 1 cannot be honoured (-1 means "broker default").
  if (t.replicationFactor > 1) return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: `Replication factor: ${t.replicationFactor} larger than available brokers: 1.` };
  return null;
}

function createOne(t: CreatableTopic, validateOnly: boolean, ctx: RequestContext): CreatedTopicResult {
  const failed = (o: Outcome): CreatedTopicResult => ({ name: t.name, topicId: ZERO_UUID, ...o, numPartitions: -1, replicationFactor: -1, configs: null });
  if (!mayCreateTopic(ctx, t.name)) return failed({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `CREATE on topic '${t.name}' is not allowed` });
  const problem = requestProblem(t, ctx.cluster.config.nodeId);
  if (problem) return failed(problem);
  const partitions = t.assignments.length > 0 ? t.assignments.length : t.numPartitions;
  const configs: Record<string, string | null> = {};
  for (const c of t.configs) configs[c.name] = c.value;
  const outcome = ctx.cluster.createTopic(t.name, partitions, configs, validateOnly);
  if (outcome.errorCode !== ErrorCode.NONE) return failed(outcome);
  // v5+ tell the client what it got, every config with its value in force (Kafka does, validateOnly too).
  const own: Record<string, string> = {};
  for (const [k, v] of Object.entries(configs)) if (v !== null) own[k] = v;
  const store = ctx.cluster.brokerConfigs;
  return {
    name: t.name,
    topicId: validateOnly ? ZERO_UUID : (ctx.cluster.topics.get(t.name)?.id ?? ZERO_UUID),
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    numPartitions: partitions === -1 ? ctx.cluster.config.defaultPartitions : partitions,
    replicationFactor: 1,
    configs: TOPIC_CONFIGS.map((d) => {
      const resolved = store.resolveTopic(own, d);
      return { name: d.name, value: resolved.value, readOnly: false, source: resolved.source, sensitive: false };
    }),
  };
}

export const createTopicsApi = defineApi<CreateTopicsRequest, CreateTopicsResponse>({
  key: ApiKey.CreateTopics,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 7,
  flexibleFrom: CREATE_TOPICS_FLEXIBLE_FROM,
  decode: decodeCreateTopicsRequest,
  encode: encodeCreateTopicsResponse,
  handle: (req, ctx) => {
    const seen = new Set<string>();
    return {
      topics: req.topics.map((t) => {
        if (seen.has(t.name)) {
          return {
            name: t.name,
            topicId: ZERO_UUID,
            errorCode: ErrorCode.INVALID_REQUEST,
            errorMessage: `Create topics request from client contains duplicate topic: ${t.name}`,
            numPartitions: -1,
            replicationFactor: -1,
            configs: null,
          };
        }
        seen.add(t.name);
        return createOne(t, req.validateOnly, ctx);
      }),
    };
  },
});
