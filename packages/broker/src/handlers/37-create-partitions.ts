import { defineApi } from '../api/types';
import {
  CREATE_PARTITIONS_FLEXIBLE_FROM,
  decodeCreatePartitionsRequest,
  encodeCreatePartitionsResponse,
  type CreatePartitionsRequest,
  type CreatePartitionsResponse,
} from '../codecs/37-create-partitions';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

export const createPartitionsApi = defineApi<CreatePartitionsRequest, CreatePartitionsResponse>({
  key: ApiKey.CreatePartitions,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: CREATE_PARTITIONS_FLEXIBLE_FROM,
  decode: decodeCreatePartitionsRequest,
  encode: encodeCreatePartitionsResponse,
  handle: (req, ctx) => ({
    topics: req.topics.map((t) =>
      topicAllowed(ctx, AclOperation.ALTER, t.name)
        ? { name: t.name, ...ctx.cluster.createPartitions(t.name, t.count, req.validateOnly, t.assignments) }
        : { name: t.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `ALTER on topic '${t.name}' is not allowed` },
    ),
  }),
});
