import { defineApi, type RequestContext } from '../api/types';
import { decodeOffsetFetchRequest, encodeOffsetFetchResponse, type OffsetFetchRequest, type OffsetFetchResponse } from '../codecs/09-offset-fetch';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';

/** Partitions without a committed offset answer -1, as Kafka does; a null topic list means all committed ones. */
function handleOffsetFetch(req: OffsetFetchRequest, ctx: RequestContext): OffsetFetchResponse {
  const asked = req.topics?.map((t) => ({ topic: t.name, partitions: t.partitions })) ?? null;
  const found = ctx.groups.fetchOffsets(req.groupId, asked);
  return {
    errorCode: ErrorCode.NONE,
    topics: found.map((t) => ({
      name: t.topic,
      partitions: t.partitions.map((p) => ({ index: p.partition, offset: p.offset, metadata: p.metadata, errorCode: ErrorCode.NONE })),
    })),
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
