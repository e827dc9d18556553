import { readArray, writeArray, writeNullableString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';
import type { AclBinding, AclFilter } from '../security/acl';
import { ACLS_FLEXIBLE_FROM, readAclFilter, writeAclEntry, writeAclResource } from './acl-fields';

export interface DeleteAclsRequest {
  filters: AclFilter[];
}

export interface DeleteAclsFilterResult {
  errorCode: number;
  errorMessage: string | null;
  matching: AclBinding[];
}

export interface DeleteAclsResponse {
  results: DeleteAclsFilterResult[];
}

export function decodeDeleteAclsRequest(r: Reader, version: number): DeleteAclsRequest {
  const flexible = version >= ACLS_FLEXIBLE_FROM;
  const filters = readArray(r, flexible, (x) => readAclFilter(x, version));
  if (flexible) r.taggedFields();
  return { filters };
}

export function encodeDeleteAclsResponse(w: Writer, res: DeleteAclsResponse, version: number): void {
  const flexible = version >= ACLS_FLEXIBLE_FROM;
  w.int32(0); // throttle time
  writeArray(w, res.results, flexible, (w, result) => {
    w.int16(result.errorCode);
    writeNullableString(w, result.errorMessage, flexible);
    writeArray(w, result.matching, flexible, (w, b) => {
      w.int16(0); // each deleted binding's own error code
      writeNullableString(w, null, flexible);
      writeAclResource(w, b, version);
      writeAclEntry(w, b, version);
    });
  });
  if (flexible) w.taggedFields();
}
