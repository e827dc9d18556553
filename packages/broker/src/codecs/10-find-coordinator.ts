import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const CoordinatorKeyType = { Group: 0, Transaction: 1 } as const;

export interface FindCoordinatorRequest {
  key: string;
  /** 0 group, 1 transaction; v0 only asks for groups. */
  keyType: number;
}

export interface FindCoordinatorResponse {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

export function decodeFindCoordinatorRequest(r: Reader, version: number): FindCoordinatorRequest {
  const key = r.string();
  return { key, keyType: version >= 1 ? r.int8() : CoordinatorKeyType.Group };
}

export function encodeFindCoordinatorResponse(w: Writer, res: FindCoordinatorResponse, version: number): void {
  if (version >= 1) w.int32(0); // throttle time
  w.int16(res.errorCode);
  if (version >= 1) w.nullableString(res.errorMessage);
  w.int32(res.nodeId).string(res.host).int32(res.port);
}
