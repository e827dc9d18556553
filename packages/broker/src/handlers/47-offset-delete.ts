import { defineApi, type RequestContext } from '../api/types';
import { decodeOffsetDeleteRequest, encodeOffsetDeleteResponse, type OffsetDeleteRequest, type OffsetDeleteResponse } from '../codecs/47-offset-delete';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { groupAllowed, topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

/** Deletes a group's committed offsets of some partitions; not those of a topic its live members subscribe to. */
function handleOffsetDelete(req: OffsetDeleteRequest, ctx: RequestContext): OffsetDeleteResponse {
  const whole = (errorCode: ErrorCode): OffsetDeleteResponse => ({ errorCode, topics: [] });
  if (!groupAllowed(ctx, AclOperation.DELETE, req.groupId)) return whole(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  const groupError = ctx.groups.offsetDeletePermission(req.groupId);
  if (groupError !== ErrorCode.NONE) return whole(groupError);
  const subscribed = ctx.groups.subscribedTopics(req.groupId);
  const deletable: Array<{ topic: string; partition: number }> = [];
  const topics = req.topics.map((t) => {
    const readable = topicAllowed(ctx, AclOperation.READ, t.name);
    const topic = ctx.cluster.topics.get(t.name);
    return {
      name: t.name,
      partitions: t.partitions.map((index) => {
        let errorCode: ErrorCode = ErrorCode.NONE;
        if (!readable) errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        else if (!topic || index < 0 || index >= topic.partitions.length) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (subscribed.has(t.name)) errorCode = ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
        else deletable.push({ topic: t.name, partition: index });
        return { index, errorCode };
      }),
    };
  });
  ctx.groups.deleteOffsets(req.groupId, deletable);
  return { errorCode: ErrorCode.NONE, topics };
}

export const offsetDeleteApi = defineApi<OffsetDeleteRequest, OffsetDeleteResponse>({
  key: ApiKey.OffsetDelete,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  decode: decodeOffsetDeleteRequest,
  encode: encodeOffsetDeleteResponse,
  handle: handleOffsetDelete,
});
