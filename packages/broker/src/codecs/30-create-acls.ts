import { readArray, writeArray, writeNullableString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';
import type { AclBinding } from '../security/acl';
import { ACLS_FLEXIBLE_FROM, readAclBinding } from './acl-fields';

export interface CreateAclsRequest {
  creations: AclBinding[];
}

export interface CreateAclsResponse {
  results: Array<{ errorCode: number; errorMessage: string | null }>;
}

export function decodeCreateAclsRequest(r: Reader, version: number): CreateAclsRequest {
  const flexible = version >= ACLS_FLEXIBLE_FROM;
  const creations = readArray(r, flexible, (x) => readAclBinding(x, version));
  if (flexible) r.taggedFields();
  return { creations };
}

export function encodeCreateAclsResponse(w: Writer, res: CreateAclsResponse, version: number): void {
  const flexible = version >= ACLS_FLEXIBLE_FROM;
  w.int32(0); // throttle time
  writeArray(w, res.results, flexible, (w, result) => {
    w.int16(result.errorCode);
    writeNullableString(w, result.errorMessage, flexible);
  });
  if (flexible) w.taggedFields();
}
