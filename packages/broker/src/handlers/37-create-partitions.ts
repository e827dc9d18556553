import { defineApi } from '../api/types';
import { decodeCreatePartitionsRequest, encodeCreatePartitionsResponse, type CreatePartitionsRequest, type CreatePartitionsResponse } from '../codecs/37-create-partitions';
import { ApiKey } from '../protocol/api-keys';

export const createPartitionsApi = defineApi<CreatePartitionsRequest, CreatePartitionsResponse>({
  key: ApiKey.CreatePartitions,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 0,
  decode: decodeCreatePartitionsRequest,
  encode: encodeCreatePartitionsResponse,
  handle: (req, ctx) => ({ topics: req.topics.map((t) => ({ name: t.name, ...ctx.cluster.createPartitions(t.name, t.count, req.validateOnly) })) }),
});
