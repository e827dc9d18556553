import { defineApi, type RequestContext } from '../api/types';
import { decodeCreateTopicsRequest, encodeCreateTopicsResponse, type CreatableTopic, type CreateTopicsRequest, type CreateTopicsResponse } from '../codecs/19-create-topics';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { mayCreateTopic } from '../security/access';
import type { TopicOutcome } from '../state/cluster';

function createOne(t: CreatableTopic, validateOnly: boolean, ctx: RequestContext): TopicOutcome {
  if (!mayCreateTopic(ctx, t.name)) return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `CREATE on topic '${t.name}' is not allowed` };
  // One broker: a replication factor above 1 cannot be honoured (-1 means "broker default").
  if (t.replicationFactor > 1) return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: `replication factor ${t.replicationFactor} is larger than the 1 available broker` };
  const partitions = t.assignments.length > 0 ? t.assignments.length : t.numPartitions;
  const configs: Record<string, string | null> = {};
  for (const c of t.configs) configs[c.name] = c.value;
  return ctx.cluster.createTopic(t.name, partitions, configs, validateOnly);
}

export const createTopicsApi = defineApi<CreateTopicsRequest, CreateTopicsResponse>({
  key: ApiKey.CreateTopics,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 3,
  decode: decodeCreateTopicsRequest,
  encode: encodeCreateTopicsResponse,
  handle: (req, ctx) => {
    const seen = new Set<string>();
    return {
      topics: req.topics.map((t) => {
        if (seen.has(t.name)) return { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `topic '${t.name}' appears twice in the request` };
        seen.add(t.name);
        return { name: t.name, ...createOne(t, req.validateOnly, ctx) };
      }),
    };
  },
});
