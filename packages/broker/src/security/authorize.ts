import { AclOperation, AclPermission, PatternType, WILDCARD, type AclBinding, type Resource, type ResourceType } from './acl';

export type Decision = 'allowed' | 'denied';

/** Who asks: the principal (`User:alice`) and the client's address, which ACLs may name. */
export interface Requester {
  principal: string;
  host: string;
}

/** Operations an ALLOW of another operation grants too, as in Kafka (reading a topic lets you see it). */
const IMPLIED_BY: Partial<Record<AclOperation, readonly AclOperation[]>> = {
  [AclOperation.DESCRIBE]: [AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER],
  [AclOperation.DESCRIBE_CONFIGS]: [AclOperation.ALTER_CONFIGS],
};

function appliesTo(acl: AclBinding, who: Requester): boolean {
  return (acl.principal === who.principal || acl.principal === 'User:*') && (acl.host === WILDCARD || acl.host === who.host);
}

function coversResource(acl: AclBinding, resource: Resource): boolean {
  if (acl.resourceType !== resource.type) return false;
  if (acl.patternType === PatternType.PREFIXED) return resource.name.startsWith(acl.resourceName);
  return acl.resourceName === resource.name || acl.resourceName === WILDCARD;
}

const denies = (acl: AclBinding, op: AclOperation): boolean => acl.permission === AclPermission.DENY && (acl.operation === op || acl.operation === AclOperation.ALL);
const allows = (acl: AclBinding, op: AclOperation): boolean =>
  acl.permission === AclPermission.ALLOW && (acl.operation === op || acl.operation === AclOperation.ALL || (IMPLIED_BY[op]?.includes(acl.operation) ?? false));

/**
 * Kafka's authorizer decision: super users may do anything; otherwise a
 * matching DENY wins over any ALLOW, and without a matching ALLOW the answer
 * is no (allow.everyone.if.no.acl.found=false).
 */
export function authorize(who: Requester, operation: AclOperation, resource: Resource, acls: Iterable<AclBinding>, superUsers: ReadonlySet<string>): Decision {
  if (superUsers.has(who.principal)) return 'allowed';
  let allowed = false;
  for (const acl of acls) {
    if (!appliesTo(acl, who) || !coversResource(acl, resource)) continue;
    if (denies(acl, operation)) return 'denied';
    if (allows(acl, operation)) allowed = true;
  }
  return allowed ? 'allowed' : 'denied';
}

/**
 * Kafka's authorizeByResourceType: may the requester do `operation` on some
 * resource of this type? (InitProducerId accepts WRITE on any topic in place
 * of IDEMPOTENT_WRITE on the cluster.) A wildcard DENY shuts every resource.
 */
export function authorizeAnyOfType(who: Requester, operation: AclOperation, type: ResourceType, acls: Iterable<AclBinding>, superUsers: ReadonlySet<string>): Decision {
  if (superUsers.has(who.principal)) return 'allowed';
  const relevant = [...acls].filter((a) => a.resourceType === type && appliesTo(a, who));
  const deniedEverywhere = relevant.some((a) => denies(a, operation) && a.patternType === PatternType.LITERAL && a.resourceName === WILDCARD);
  if (deniedEverywhere) return 'denied';
  const deniedPatterns = relevant.filter((a) => denies(a, operation));
  const grants = relevant.filter((a) => allows(a, operation));
  const open = grants.some((g) => !deniedPatterns.some((d) => d.patternType === g.patternType && d.resourceName === g.resourceName));
  return open ? 'allowed' : 'denied';
}
