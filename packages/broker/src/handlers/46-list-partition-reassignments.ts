import { defineApi } from '../api/types';
import {
  decodeListPartitionReassignmentsRequest,
  encodeListPartitionReassignmentsResponse,
  type ListPartitionReassignmentsRequest,
  type ListPartitionReassignmentsResponse,
} from '../codecs/46-list-partition-reassignments';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { clusterAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

/** Reassignments finish as they are asked for (one broker), so none is ever in progress. */
export const listPartitionReassignmentsApi = defineApi<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>({
  key: ApiKey.ListPartitionReassignments,
  name: 'ListPartitionReassignments',
  minVersion: 0,
  maxVersion: 0,
  flexibleFrom: 0,
  decode: decodeListPartitionReassignmentsRequest,
  encode: encodeListPartitionReassignmentsResponse,
  handle: (_req, ctx) =>
    clusterAllowed(ctx, AclOperation.DESCRIBE)
      ? { errorCode: ErrorCode.NONE, errorMessage: null, topics: [] }
      : { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'DESCRIBE on the cluster is not allowed', topics: [] },
});
