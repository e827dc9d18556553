import { defineApi } from '../api/types';
import { decodeDeleteTopicsRequest, encodeDeleteTopicsResponse, type DeleteTopicsRequest, type DeleteTopicsResponse } from '../codecs/20-delete-topics';
import { ApiKey } from '../protocol/api-keys';

export const deleteTopicsApi = defineApi<DeleteTopicsRequest, DeleteTopicsResponse>({
  key: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 1,
  decode: decodeDeleteTopicsRequest,
  encode: encodeDeleteTopicsResponse,
  handle: (req, ctx) => ({ topics: req.names.map((name) => ({ name, errorCode: ctx.cluster.deleteTopic(name) })) }),
});
