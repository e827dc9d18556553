import { endStruct, readScalarArray, readString, skipTaggedFields, writeArray, writeBytes, writeNullableString, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const DESCRIBE_GROUPS_FLEXIBLE_FROM = 5;

export interface DescribeGroupsRequest {
  groupIds: string[];
  /** v3+. */
  includeAuthorizedOperations: boolean;
}

export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: DescribedMember[];
  authorizedOperations: number;
}

export interface DescribeGroupsResponse {
  groups: DescribedGroup[];
}

export function decodeDescribeGroupsRequest(r: Reader, version: number): DescribeGroupsRequest {
  const flexible = version >= DESCRIBE_GROUPS_FLEXIBLE_FROM;
  const groupIds = readScalarArray(r, flexible, (g) => readString(g, flexible));
  const includeAuthorizedOperations = version >= 3 ? r.boolean() : false;
  skipTaggedFields(r, flexible);
  return { groupIds, includeAuthorizedOperations };
}

export function encodeDescribeGroupsResponse(w: Writer, res: DescribeGroupsResponse, version: number): void {
  const flexible = version >= DESCRIBE_GROUPS_FLEXIBLE_FROM;
  if (version >= 1) w.int32(0); // throttle time
  writeArray(w, res.groups, flexible, (w, g) => {
    w.int16(g.errorCode);
    for (const s of [g.groupId, g.state, g.protocolType, g.protocol]) writeString(w, s, flexible);
    writeArray(w, g.members, flexible, (w, m) => {
      writeString(w, m.memberId, flexible);
      if (version >= 4) writeNullableString(w, m.groupInstanceId, flexible);
      writeString(w, m.clientId, flexible);
      writeString(w, m.clientHost, flexible);
      writeBytes(w, m.metadata, flexible);
      writeBytes(w, m.assignment, flexible);
    });
    if (version >= 3) w.int32(g.authorizedOperations);
  });
  endStruct(w, flexible);
}
