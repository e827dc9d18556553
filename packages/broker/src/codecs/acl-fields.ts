import type { AclBinding, AclFilter, AclOperation, AclPermission, PatternType, ResourceType } from '../security/acl';
import { PatternType as Pattern } from '../security/acl';
import { readNullableString, readString, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

// Fields shared by CreateAcls, DescribeAcls and DeleteAcls. v0 has no pattern type: it means LITERAL.

export const ACLS_FLEXIBLE_FROM = 2;

export function readAclFilter(r: Reader, version: number): AclFilter {
  const flexible = version >= ACLS_FLEXIBLE_FROM;
  const resourceType = r.int8() as ResourceType;
  const resourceName = readNullableString(r, flexible);
  const patternType = (version >= 1 ? r.int8() : Pattern.LITERAL) as PatternType;
  const principal = readNullableString(r, flexible);
  const host = readNullableString(r, flexible);
  return { resourceType, resourceName, patternType, principal, host, operation: r.int8() as AclOperation, permission: r.int8() as AclPermission };
}

export function readAclBinding(r: Reader, version: number): AclBinding {
  const flexible = version >= ACLS_FLEXIBLE_FROM;
  const resourceType = r.int8() as ResourceType;
  const resourceName = readString(r, flexible);
  const patternType = (version >= 1 ? r.int8() : Pattern.LITERAL) as PatternType;
  const principal = readString(r, flexible);
  const host = readString(r, flexible);
  return { resourceType, resourceName, patternType, principal, host, operation: r.int8() as AclOperation, permission: r.int8() as AclPermission };
}

/** Resource type, name and (v1+) pattern type, as the responses carry them. */
export function writeAclResource(w: Writer, b: Pick<AclBinding, 'resourceType' | 'resourceName' | 'patternType'>, version: number): void {
  w.int8(b.resourceType);
  writeString(w, b.resourceName, version >= ACLS_FLEXIBLE_FROM);
  if (version >= 1) w.int8(b.patternType);
}

/** Principal, host, operation and permission. */
export function writeAclEntry(w: Writer, b: Pick<AclBinding, 'principal' | 'host' | 'operation' | 'permission'>, version: number): void {
  const flexible = version >= ACLS_FLEXIBLE_FROM;
  writeString(w, b.principal, flexible);
  writeString(w, b.host, flexible);
  w.int8(b.operation).int8(b.permission);
}
