import { defineApi } from '../api/types';
import { decodeDeleteTopicsRequest, encodeDeleteTopicsResponse, type DeleteTopicsRequest, type DeleteTopicsResponse } from '../codecs/20-delete-topics';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

export const deleteTopicsApi = defineApi<DeleteTopicsRequest, DeleteTopicsResponse>({
  key: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 1,
  decode: decodeDeleteTopicsRequest,
  encode: encodeDeleteTopicsResponse,
  handle: (req, ctx) => ({
    topics: req.names.map((name) => ({ name, errorCode: topicAllowed(ctx, AclOperation.DELETE, name) ? ctx.cluster.deleteTopic(name) : ErrorCode.TOPIC_AUTHORIZATION_FAILED })),
  }),
});
