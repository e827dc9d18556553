/** Kafka's ACL vocabulary, with its wire codes. */
export const ResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType];

export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export type PatternType = (typeof PatternType)[keyof typeof PatternType];

export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const;
export type AclOperation = (typeof AclOperation)[keyof typeof AclOperation];

export const AclPermission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;
export type AclPermission = (typeof AclPermission)[keyof typeof AclPermission];

/** Kafka's only cluster resource name. */
export const CLUSTER_RESOURCE = 'kafka-cluster';
export const WILDCARD = '*';
export const ANONYMOUS = 'User:ANONYMOUS';

/** One ACL: who (principal, host) may or may not do what (operation) to which resources (type, name, pattern). */
export interface AclBinding {
  resourceType: ResourceType;
  resourceName: string;
  patternType: PatternType;
  principal: string;
  host: string;
  operation: AclOperation;
  permission: AclPermission;
}

/** A DescribeAcls / DeleteAcls filter: null strings and the ANY codes match everything. */
export interface AclFilter {
  resourceType: ResourceType;
  resourceName: string | null;
  patternType: PatternType;
  principal: string | null;
  host: string | null;
  operation: AclOperation;
  permission: AclPermission;
}

export interface Resource {
  type: ResourceType;
  name: string;
}

const isKnown = (table: Record<string, number>, code: number): boolean => Object.values(table).includes(code);

/** Why a binding cannot be stored (Kafka answers INVALID_REQUEST), or null when it is fine. */
export function aclBindingProblem(b: AclBinding): string | null {
  if (!isKnown(ResourceType, b.resourceType) || b.resourceType === ResourceType.ANY || b.resourceType === ResourceType.UNKNOWN) return `resource type ${b.resourceType} is not a concrete type`;
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) return `pattern type ${b.patternType} is neither LITERAL nor PREFIXED`;
  if (!isKnown(AclOperation, b.operation) || b.operation === AclOperation.ANY || b.operation === AclOperation.UNKNOWN) return `operation ${b.operation} is not a concrete operation`;
  if (b.permission !== AclPermission.ALLOW && b.permission !== AclPermission.DENY) return `permission ${b.permission} is neither ALLOW nor DENY`;
  if (!/^[^:]+:.+$/.test(b.principal)) return `principal '${b.principal}' is not Type:name (e.g. User:alice)`;
  if (b.resourceName === '') return 'the resource name is empty';
  if (b.resourceType === ResourceType.CLUSTER && b.resourceName !== CLUSTER_RESOURCE) return `the cluster resource is named '${CLUSTER_RESOURCE}'`;
  if (b.host === '') return "the host is empty (use '*')";
  return null;
}

function nameMatchesFilter(b: AclBinding, f: AclFilter): boolean {
  if (f.resourceName === null) return f.patternType === PatternType.ANY || f.patternType === PatternType.MATCH || f.patternType === b.patternType;
  switch (f.patternType) {
    case PatternType.ANY:
      return b.resourceName === f.resourceName;
    case PatternType.MATCH:
      // Every binding that would apply to a resource of that literal name.
      if (b.patternType === PatternType.LITERAL) return b.resourceName === f.resourceName || b.resourceName === WILDCARD;
      return f.resourceName.startsWith(b.resourceName);
    default:
      return b.patternType === f.patternType && b.resourceName === f.resourceName;
  }
}

/** Kafka's AclBindingFilter.matches. */
export function aclMatchesFilter(b: AclBinding, f: AclFilter): boolean {
  return (
    (f.resourceType === ResourceType.ANY || f.resourceType === b.resourceType) &&
    nameMatchesFilter(b, f) &&
    (f.principal === null || f.principal === b.principal) &&
    (f.host === null || f.host === b.host) &&
    (f.operation === AclOperation.ANY || f.operation === b.operation) &&
    (f.permission === AclPermission.ANY || f.permission === b.permission)
  );
}
