import { writeArray, writeNullableString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';
import type { AclBinding, AclFilter } from '../security/acl';
import { ACLS_FLEXIBLE_FROM, readAclFilter, writeAclEntry, writeAclResource } from './acl-fields';

export type DescribeAclsRequest = AclFilter;

export interface DescribeAclsResponse {
  errorCode: number;
  errorMessage: string | null;
  /** Bindings grouped by resource (type, name, pattern) on the wire. */
  bindings: AclBinding[];
}

export function decodeDescribeAclsRequest(r: Reader, version: number): DescribeAclsRequest {
  const filter = readAclFilter(r, version);
  if (version >= ACLS_FLEXIBLE_FROM) r.taggedFields();
  return filter;
}

export function encodeDescribeAclsResponse(w: Writer, res: DescribeAclsResponse, version: number): void {
  const flexible = version >= ACLS_FLEXIBLE_FROM;
  const byResource = new Map<string, AclBinding[]>();
  for (const b of res.bindings) {
    const key = JSON.stringify([b.resourceType, b.resourceName, b.patternType]);
    const list = byResource.get(key);
    if (list) list.push(b);
    else byResource.set(key, [b]);
  }
  w.int32(0); // throttle time
  w.int16(res.errorCode);
  writeNullableString(w, res.errorMessage, flexible);
  writeArray(w, [...byResource.values()], flexible, (w, group) => {
    writeAclResource(w, group[0]!, version);
    writeArray(w, group, flexible, (w, b) => writeAclEntry(w, b, version));
  });
  if (flexible) w.taggedFields();
}
