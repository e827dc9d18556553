import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export type ListGroupsRequest = Record<string, never>;

export interface ListGroupsResponse {
  errorCode: number;
  groups: Array<{ groupId: string; protocolType: string }>;
}

export function decodeListGroupsRequest(_r: Reader, _version: number): ListGroupsRequest {
  return {};
}

export function encodeListGroupsResponse(w: Writer, res: ListGroupsResponse, version: number): void {
  if (version >= 1) w.int32(0); // throttle time
  w.int16(res.errorCode);
  w.array(res.groups, (w, g) => w.string(g.groupId).string(g.protocolType));
}
