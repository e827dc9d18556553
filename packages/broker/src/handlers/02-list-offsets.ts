import { defineApi, type RequestContext } from '../api/types';
import { decodeListOffsetsRequest, encodeListOffsetsResponse, LIST_OFFSETS_FLEXIBLE_FROM, type ListOffsetsRequest, type ListOffsetsResponse } from '../codecs/02-list-offsets';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

const LATEST = -1;
const EARLIEST = -2;
/** v7+ (KIP-734): the offset and timestamp of the record with the largest timestamp. */
const MAX_TIMESTAMP = -3;
/** v8+ (tiered storage): the earliest offset kept locally, which is the log start here. */
const EARLIEST_LOCAL = -4;
/** Leadership never moves on one broker. */
const LEADER_EPOCH = 0;

function handleListOffsets(req: ListOffsetsRequest, ctx: RequestContext): ListOffsetsResponse {
  return {
    topics: req.topics.map((t) => {
      const topic = ctx.cluster.topics.get(t.name);
      const visible = topicAllowed(ctx, AclOperation.DESCRIBE, t.name);
      return {
        name: t.name,
        partitions: t.partitions.map((p) => {
          const failed = (errorCode: ErrorCode) => ({ index: p.index, errorCode, timestamp: -1, offset: -1, leaderEpoch: -1 });
          if (!visible) return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          const partition = topic?.partitions[p.index];
          if (!partition) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          const found = (offset: number, timestamp = -1) => ({ index: p.index, errorCode: ErrorCode.NONE, timestamp, offset, leaderEpoch: LEADER_EPOCH });
          if (p.timestamp === LATEST) return found(req.isolationLevel === 1 ? partition.lastStableOffset : partition.highWatermark);
          if (p.timestamp === EARLIEST || p.timestamp === EARLIEST_LOCAL) return found(partition.logStartOffset);
          if (p.timestamp === MAX_TIMESTAMP) {
            const max = partition.maxTimestampOffset();
            return max ? found(max.offset, max.timestamp) : found(-1);
          }
          const offset = partition.offsetForTimestamp(p.timestamp);
          // No record at or after the time: Kafka answers offset -1 and timestamp -1.
          return offset >= 0 ? found(offset, p.timestamp) : found(-1);
        }),
      };
    }),
  };
}

export const listOffsetsApi = defineApi<ListOffsetsRequest, ListOffsetsResponse>({
  key: ApiKey.ListOffsets,
  name: 'ListOffsets',
  minVersion: 0,
  maxVersion: 8,
  flexibleFrom: LIST_OFFSETS_FLEXIBLE_FROM,
  decode: decodeListOffsetsRequest,
  encode: encodeListOffsetsResponse,
  handle: handleListOffsets,
});
