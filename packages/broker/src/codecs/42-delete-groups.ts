import { endStruct, readScalarArray, readString, skipTaggedFields, writeArray, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const DELETE_GROUPS_FLEXIBLE_FROM = 2;

export interface DeleteGroupsRequest {
  groupIds: string[];
}

export interface DeleteGroupsResponse {
  results: Array<{ groupId: string; errorCode: number }>;
}

export function decodeDeleteGroupsRequest(r: Reader, version: number): DeleteGroupsRequest {
  const flexible = version >= DELETE_GROUPS_FLEXIBLE_FROM;
  const groupIds = readScalarArray(r, flexible, (g) => readString(g, flexible));
  skipTaggedFields(r, flexible);
  return { groupIds };
}

export function encodeDeleteGroupsResponse(w: Writer, res: DeleteGroupsResponse, version: number): void {
  const flexible = version >= DELETE_GROUPS_FLEXIBLE_FROM;
  w.int32(0); // throttle time (in every version)
  writeArray(w, res.results, flexible, (w, g) => {
    writeString(w, g.groupId, flexible);
    w.int16(g.errorCode);
  });
  endStruct(w, flexible);
}
