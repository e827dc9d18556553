import { defineApi, type RequestContext } from '../api/types';
import {
  decodeOffsetFetchRequest,
  encodeOffsetFetchResponse,
  OFFSET_FETCH_FLEXIBLE_FROM,
  type OffsetFetchGroupRequest,
  type OffsetFetchGroupResponse,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
} from '../codecs/09-offset-fetch';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { groupAllowed, topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

/** Partitions without a committed offset answer -1, as Kafka does; a null topic list means all committed ones. */
function fetchGroup(req: OffsetFetchGroupRequest, requireStable: boolean, ctx: RequestContext): OffsetFetchGroupResponse {
  // Kafka asks DESCRIBE here (READ implies it): unreadable topics answer 29, or are left out of "all".
  if (!groupAllowed(ctx, AclOperation.DESCRIBE, req.groupId)) {
    const refused = (req.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitions.map((index) => ({ index, offset: -1, metadata: null, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED })),
    }));
    return { groupId: req.groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: refused };
  }
  const asked = req.topics?.map((t) => ({ topic: t.name, partitions: t.partitions })) ?? null;
  const found = ctx.groups.fetchOffsets(req.groupId, asked).filter((t) => req.topics !== null || topicAllowed(ctx, AclOperation.DESCRIBE, t.topic));
  return {
    groupId: req.groupId,
    errorCode: ErrorCode.NONE,
    topics: found.map((t) => {
      const visible = topicAllowed(ctx, AclOperation.DESCRIBE, t.topic);
      return {
        name: t.topic,
        partitions: t.partitions.map((p) => {
          if (!visible) return { index: p.partition, offset: -1, metadata: null, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
          // KIP-447: a read_committed consumer waits (retries) while an open transaction holds an offset for this partition.
          if (requireStable && ctx.transactions.hasPendingOffset(req.groupId, t.topic, p.partition)) {
            return { index: p.partition, offset: -1, metadata: null, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT };
          }
          return { index: p.partition, offset: p.offset, metadata: p.metadata, errorCode: ErrorCode.NONE };
        }),
      };
    }),
  };
}

export const offsetFetchApi = defineApi<OffsetFetchRequest, OffsetFetchResponse>({
  key: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  // v0 read offsets kept in ZooKeeper; its wire format is v1's, so it is answered from the same store.
  minVersion: 0,
  maxVersion: 8,
  flexibleFrom: OFFSET_FETCH_FLEXIBLE_FROM,
  decode: decodeOffsetFetchRequest,
  encode: encodeOffsetFetchResponse,
  handle: (req, ctx) => ({ groups: req.groups.map((g) => fetchGroup(g, req.requireStable, ctx)) }),
});
