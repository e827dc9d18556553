import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface DeleteGroupsRequest {
  groupIds: string[];
}

export interface DeleteGroupsResponse {
  results: Array<{ groupId: string; errorCode: number }>;
}

export function decodeDeleteGroupsRequest(r: Reader, _version: number): DeleteGroupsRequest {
  return { groupIds: r.array((g) => g.string()) };
}

export function encodeDeleteGroupsResponse(w: Writer, res: DeleteGroupsResponse, _version: number): void {
  w.int32(0); // throttle time (in every version)
  w.array(res.results, (w, g) => w.string(g.groupId).int16(g.errorCode));
}
