import { defineApi, type RequestContext } from '../api/types';
import { decodeOffsetFetchRequest, encodeOffsetFetchResponse, type OffsetFetchRequest, type OffsetFetchResponse } from '../codecs/09-offset-fetch';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { groupAllowed, topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

/** Partitions without a committed offset answer -1, as Kafka does; a null topic list means all committed ones. */
function handleOffsetFetch(req: OffsetFetchRequest, ctx: RequestContext): OffsetFetchResponse {
  // Kafka asks DESCRIBE here (READ implies it): unreadable topics answer 29, or are left out of "all".
  if (!groupAllowed(ctx, AclOperation.DESCRIBE, req.groupId)) {
    const refused = (req.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitions.map((index) => ({ index, offset: -1, metadata: null, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED })),
    }));
    return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: refused };
  }
  const asked = req.topics?.map((t) => ({ topic: t.name, partitions: t.partitions })) ?? null;
  const found = ctx.groups.fetchOffsets(req.groupId, asked).filter((t) => req.topics !== null || topicAllowed(ctx, AclOperation.DESCRIBE, t.topic));
  return {
    errorCode: ErrorCode.NONE,
    topics: found.map((t) => {
      const visible = topicAllowed(ctx, AclOperation.DESCRIBE, t.topic);
      return {
        name: t.topic,
        partitions: t.partitions.map((p) =>
          visible
            ? { index: p.partition, offset: p.offset, metadata: p.metadata, errorCode: ErrorCode.NONE }
            : { index: p.partition, offset: -1, metadata: null, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
        ),
      };
    }),
  };
}

export const offsetFetchApi = defineApi<OffsetFetchRequest, OffsetFetchResponse>({
  key: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  // v0 reads offsets kept in ZooKeeper; a broker without ZooKeeper starts at v1, as the notes' table says.
  minVersion: 1,
  maxVersion: 4,
  decode: decodeOffsetFetchRequest,
  encode: encodeOffsetFetchResponse,
  handle: handleOffsetFetch,
});
