import type { RequestContext } from '../api/types';
import { AclOperation, CLUSTER_RESOURCE, ResourceType } from './acl';

/** With no authorizer configured everything is allowed, as before security existed (zero-config dev). */
export function allowed(ctx: RequestContext, operation: AclOperation, type: ResourceType, name: string): boolean {
  const acls = ctx.security.acls;
  return acls === null || acls.authorize({ principal: ctx.sasl.principal, host: ctx.clientHost }, operation, { type, name }) === 'allowed';
}

export const clusterAllowed = (ctx: RequestContext, operation: AclOperation): boolean => allowed(ctx, operation, ResourceType.CLUSTER, CLUSTER_RESOURCE);

/** May the requester do `operation` on some resource of `type` (Kafka's authorizeByResourceType)? */
export function allowedOnAnyOfType(ctx: RequestContext, operation: AclOperation, type: ResourceType): boolean {
  const acls = ctx.security.acls;
  return acls === null || acls.authorizeAnyOfType({ principal: ctx.sasl.principal, host: ctx.clientHost }, operation, type) === 'allowed';
}

export const topicAllowed = (ctx: RequestContext, operation: AclOperation, topic: string): boolean => allowed(ctx, operation, ResourceType.TOPIC, topic);
export const groupAllowed = (ctx: RequestContext, operation: AclOperation, group: string): boolean => allowed(ctx, operation, ResourceType.GROUP, group);

/** Creating a topic takes CREATE on the cluster or on that topic (Kafka's rule for CreateTopics and auto-creation). */
export const mayCreateTopic = (ctx: RequestContext, topic: string): boolean => clusterAllowed(ctx, AclOperation.CREATE) || topicAllowed(ctx, AclOperation.CREATE, topic);

const TOPIC_OPERATIONS = [
  AclOperation.READ,
  AclOperation.WRITE,
  AclOperation.CREATE,
  AclOperation.DELETE,
  AclOperation.ALTER,
  AclOperation.DESCRIBE,
  AclOperation.DESCRIBE_CONFIGS,
  AclOperation.ALTER_CONFIGS,
];
const CLUSTER_OPERATIONS = [
  AclOperation.CREATE,
  AclOperation.ALTER,
  AclOperation.DESCRIBE,
  AclOperation.CLUSTER_ACTION,
  AclOperation.DESCRIBE_CONFIGS,
  AclOperation.ALTER_CONFIGS,
  AclOperation.IDEMPOTENT_WRITE,
];
const GROUP_OPERATIONS = [AclOperation.READ, AclOperation.DELETE, AclOperation.DESCRIBE];

function operationBits(ctx: RequestContext, operations: readonly AclOperation[], type: ResourceType, name: string): number {
  let bits = 0;
  for (const op of operations) if (allowed(ctx, op, type, name)) bits |= 1 << op;
  return bits;
}

/** Kafka's authorized-operations bit field (Metadata, DescribeGroups): bit n set when operation n is allowed. */
export const topicOperations = (ctx: RequestContext, topic: string): number => operationBits(ctx, TOPIC_OPERATIONS, ResourceType.TOPIC, topic);
export const clusterOperations = (ctx: RequestContext): number => operationBits(ctx, CLUSTER_OPERATIONS, ResourceType.CLUSTER, CLUSTER_RESOURCE);
export const groupOperations = (ctx: RequestContext, group: string): number => operationBits(ctx, GROUP_OPERATIONS, ResourceType.GROUP, group);
