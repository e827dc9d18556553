import { defineApi } from '../api/types';
import { decodeDeleteRecordsRequest, DELETE_RECORDS_FLEXIBLE_FROM, encodeDeleteRecordsResponse, type DeleteRecordsRequest, type DeleteRecordsResponse } from '../codecs/21-delete-records';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

/**
 * Moves each partition's log start up to the given offset (never down: an
 * offset below it changes nothing and answers the current start, as Kafka
 * does). ListOffsets earliest and Fetch honour the new start at once.
 */
export const deleteRecordsApi = defineApi<DeleteRecordsRequest, DeleteRecordsResponse>({
  key: ApiKey.DeleteRecords,
  name: 'DeleteRecords',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: DELETE_RECORDS_FLEXIBLE_FROM,
  decode: decodeDeleteRecordsRequest,
  encode: encodeDeleteRecordsResponse,
  handle: (req, ctx) => ({
    topics: req.topics.map((t) => {
      const permitted = topicAllowed(ctx, AclOperation.DELETE, t.name);
      return {
        name: t.name,
        partitions: t.partitions.map((p) => {
          if (!permitted) return { index: p.index, lowWatermark: -1, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
          return { index: p.index, ...ctx.cluster.deleteRecords(t.name, p.index, p.offset) };
        }),
      };
    }),
  }),
});
