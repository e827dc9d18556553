import { defineApi, type RequestContext } from '../api/types';
import { decodeListOffsetsRequest, encodeListOffsetsResponse, type ListOffsetsRequest, type ListOffsetsResponse } from '../codecs/02-list-offsets';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

const LATEST = -1;
const EARLIEST = -2;

function handleListOffsets(req: ListOffsetsRequest, ctx: RequestContext): ListOffsetsResponse {
  return {
    topics: req.topics.map((t) => {
      const topic = ctx.cluster.topics.get(t.name);
      const visible = topicAllowed(ctx, AclOperation.DESCRIBE, t.name);
      return {
        name: t.name,
        partitions: t.partitions.map((p) => {
          if (!visible) return { index: p.index, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, timestamp: -1, offset: -1 };
          const partition = topic?.partitions[p.index];
          if (!partition) return { index: p.index, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1, offset: -1 };
          if (p.timestamp === LATEST) {
            const offset = req.isolationLevel === 1 ? partition.lastStableOffset : partition.highWatermark;
            return { index: p.index, errorCode: ErrorCode.NONE, timestamp: -1, offset };
          }
          if (p.timestamp === EARLIEST) return { index: p.index, errorCode: ErrorCode.NONE, timestamp: -1, offset: partition.logStartOffset };
          const offset = partition.offsetForTimestamp(p.timestamp);
          return { index: p.index, errorCode: ErrorCode.NONE, timestamp: offset >= 0 ? p.timestamp : -1, offset };
        }),
      };
    }),
  };
}

export const listOffsetsApi = defineApi<ListOffsetsRequest, ListOffsetsResponse>({
  key: ApiKey.ListOffsets,
  name: 'ListOffsets',
  minVersion: 0,
  maxVersion: 2,
  decode: decodeListOffsetsRequest,
  encode: encodeListOffsetsResponse,
  handle: handleListOffsets,
});
