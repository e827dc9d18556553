import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type AclEntry, type Admin } from 'kafkajs';
import type { AclOperationName, AclPlan, AclResourceType } from '@agentmesh/runtime/internal';

const RESOURCE: Readonly<Record<AclResourceType, AclResourceTypes>> = { TOPIC: AclResourceTypes.TOPIC, GROUP: AclResourceTypes.GROUP, CLUSTER: AclResourceTypes.CLUSTER };
const OPERATION: Readonly<Record<AclOperationName, AclOperationTypes>> = {
  READ: AclOperationTypes.READ,
  WRITE: AclOperationTypes.WRITE,
  CREATE: AclOperationTypes.CREATE,
  DESCRIBE: AclOperationTypes.DESCRIBE,
  DESCRIBE_CONFIGS: AclOperationTypes.DESCRIBE_CONFIGS,
  IDEMPOTENT_WRITE: AclOperationTypes.IDEMPOTENT_WRITE,
};

/** The plan's bindings as kafkajs's CreateAcls entries. */
export function aclEntries(plan: AclPlan): AclEntry[] {
  return plan.bindings.map((b) => ({
    resourceType: RESOURCE[b.resourceType],
    resourceName: b.resourceName,
    resourcePatternType: b.patternType === 'PREFIXED' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
    principal: b.principal,
    host: b.host,
    operation: OPERATION[b.operation],
    permissionType: AclPermissionTypes.ALLOW,
  }));
}

/**
 * Creates the plan's ACLs (CreateAcls; the caller's principal needs ALTER on the cluster). Creating a binding that
 * exists already changes nothing, so applying a plan again is harmless. Returns how many were asked for.
 */
export async function applyAclPlan(admin: Admin, plan: AclPlan): Promise<number> {
  const acl = aclEntries(plan);
  await admin.createAcls({ acl });
  return acl.length;
}
