import { endStruct, readScalarArray, readString, skipTaggedFields, writeArray, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const LIST_GROUPS_FLEXIBLE_FROM = 3;

export interface ListGroupsRequest {
  /** v4+: only groups in these states; empty lists every group. */
  statesFilter: string[];
}

export interface ListGroupsResponse {
  errorCode: number;
  groups: Array<{ groupId: string; protocolType: string; state: string }>;
}

export function decodeListGroupsRequest(r: Reader, version: number): ListGroupsRequest {
  const flexible = version >= LIST_GROUPS_FLEXIBLE_FROM;
  const statesFilter = version >= 4 ? readScalarArray(r, flexible, (s) => readString(s, flexible)) : [];
  skipTaggedFields(r, flexible);
  return { statesFilter };
}

export function encodeListGroupsResponse(w: Writer, res: ListGroupsResponse, version: number): void {
  const flexible = version >= LIST_GROUPS_FLEXIBLE_FROM;
  if (version >= 1) w.int32(0); // throttle time
  w.int16(res.errorCode);
  writeArray(w, res.groups, flexible, (w, g) => {
    writeString(w, g.groupId, flexible);
    writeString(w, g.protocolType, flexible);
    if (version >= 4) writeString(w, g.state, flexible);
  });
  endStruct(w, flexible);
}
