import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export type ApiVersionsRequest = Record<string, never>;

export interface ApiVersionsResponse {
  errorCode: number;
  apis: Array<{ key: number; minVersion: number; maxVersion: number }>;
}

export function decodeApiVersionsRequest(_r: Reader, _version: number): ApiVersionsRequest {
  return {};
}

export function encodeApiVersionsResponse(w: Writer, res: ApiVersionsResponse, version: number): void {
  w.int16(res.errorCode);
  w.array(res.apis, (w, a) => w.int16(a.key).int16(a.minVersion).int16(a.maxVersion));
  if (version >= 1) w.int32(0);
}
