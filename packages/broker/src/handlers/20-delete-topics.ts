import { defineApi, type RequestContext } from '../api/types';
import { decodeDeleteTopicsRequest, DELETE_TOPICS_FLEXIBLE_FROM, encodeDeleteTopicsResponse, type DeleteTopicsRequest, type DeleteTopicsResponse } from '../codecs/20-delete-topics';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

type DeleteOutcome = DeleteTopicsResponse['topics'][number];

function deleteOne(asked: { name: string | null; topicId: string }, ctx: RequestContext): DeleteOutcome {
  const topic = asked.name !== null ? ctx.cluster.topics.get(asked.name) : ctx.cluster.topicById(asked.topicId);
  const name = asked.name ?? topic?.name ?? null;
  const topicId = topic?.id ?? asked.topicId;
  if (name === null) return { name, topicId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: `Topic id ${asked.topicId} does not exist.` };
  if (!topicAllowed(ctx, AclOperation.DELETE, name)) return { name, topicId, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `DELETE on topic '${name}' is not allowed` };
  const errorCode = ctx.cluster.deleteTopic(name);
  return { name, topicId, errorCode, errorMessage: errorCode === ErrorCode.NONE ? null : `Topic '${name}' does not exist.` };
}

export const deleteTopicsApi = defineApi<DeleteTopicsRequest, DeleteTopicsResponse>({
  key: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 6,
  flexibleFrom: DELETE_TOPICS_FLEXIBLE_FROM,
  decode: decodeDeleteTopicsRequest,
  encode: encodeDeleteTopicsResponse,
  handle: (req, ctx) => ({ topics: req.topics.map((t) => deleteOne(t, ctx)) }),
});
