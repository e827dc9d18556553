import { defineApi, type RequestContext } from '../api/types';
import {
  decodeAlterPartitionReassignmentsRequest,
  encodeAlterPartitionReassignmentsResponse,
  type AlterPartitionReassignmentsRequest,
  type AlterPartitionReassignmentsResponse,
} from '../codecs/45-alter-partition-reassignments';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { clusterAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

/**
 * One broker holds every replica, so the only assignment Kafka would accept
 * is the one in force: it succeeds at once; any other broker is refused, and
 * there is never a reassignment to cancel.
 */
function reassignOne(topic: string, index: number, replicas: number[] | null, ctx: RequestContext): { errorCode: ErrorCode; errorMessage: string | null } {
  const partition = ctx.cluster.topics.get(topic)?.partitions[index];
  if (!partition) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' };
  if (replicas === null) return { errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: `No reassignment in progress for ${topic}-${index}.` };
  const nodeId = ctx.cluster.config.nodeId;
  if (replicas.length !== 1 || replicas[0] !== nodeId)
    return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `Replica assignment ${replicas.join(',')} is invalid: broker ${nodeId} is the only one.` };
  return { errorCode: ErrorCode.NONE, errorMessage: null };
}

function handle(req: AlterPartitionReassignmentsRequest, ctx: RequestContext): AlterPartitionReassignmentsResponse {
  if (!clusterAllowed(ctx, AclOperation.ALTER)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'ALTER on the cluster is not allowed', topics: [] };
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ index: p.index, ...reassignOne(t.name, p.index, p.replicas, ctx) })) })),
  };
}

export const alterPartitionReassignmentsApi = defineApi<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>({
  key: ApiKey.AlterPartitionReassignments,
  name: 'AlterPartitionReassignments',
  minVersion: 0,
  maxVersion: 0,
  flexibleFrom: 0,
  decode: decodeAlterPartitionReassignmentsRequest,
  encode: encodeAlterPartitionReassignmentsResponse,
  handle,
});
