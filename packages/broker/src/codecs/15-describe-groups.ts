import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface DescribeGroupsRequest {
  groupIds: string[];
}

export interface DescribedMember {
  memberId: string;
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
}

export interface DescribeGroupsResponse {
  groups: DescribedGroup[];
}

export function decodeDescribeGroupsRequest(r: Reader, _version: number): DescribeGroupsRequest {
  return { groupIds: r.array((g) => g.string()) };
}

export function encodeDescribeGroupsResponse(w: Writer, res: DescribeGroupsResponse, version: number): void {
  if (version >= 1) w.int32(0); // throttle time
  w.array(res.groups, (w, g) => {
    w.int16(g.errorCode).string(g.groupId).string(g.state).string(g.protocolType).string(g.protocol);
    w.array(g.members, (w, m) => w.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment));
  });
}
