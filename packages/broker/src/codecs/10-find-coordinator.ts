import { endStruct, readScalarArray, readString, skipTaggedFields, writeArray, writeNullableString, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const FIND_COORDINATOR_FLEXIBLE_FROM = 3;
export const CoordinatorKeyType = { Group: 0, Transaction: 1 } as const;

export interface FindCoordinatorRequest {
  /** v0-3 ask for one key; v4+ (KIP-699) for several. */
  keys: string[];
  /** 0 group, 1 transaction; v0 only asks for groups. */
  keyType: number;
}

export interface Coordinator {
  key: string;
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

export interface FindCoordinatorResponse {
  coordinators: Coordinator[];
}

export function decodeFindCoordinatorRequest(r: Reader, version: number): FindCoordinatorRequest {
  const flexible = version >= FIND_COORDINATOR_FLEXIBLE_FROM;
  const single = version <= 3 ? readString(r, flexible) : null;
  const keyType = version >= 1 ? r.int8() : CoordinatorKeyType.Group;
  const keys = single !== null ? [single] : readScalarArray(r, flexible, (k) => readString(k, flexible));
  skipTaggedFields(r, flexible);
  return { keys, keyType };
}

export function encodeFindCoordinatorResponse(w: Writer, res: FindCoordinatorResponse, version: number): void {
  const flexible = version >= FIND_COORDINATOR_FLEXIBLE_FROM;
  if (version >= 1) w.int32(0); // throttle time
  if (version <= 3) {
    const c = res.coordinators[0]!;
    w.int16(c.errorCode);
    if (version >= 1) writeNullableString(w, c.errorMessage, flexible);
    w.int32(c.nodeId);
    writeString(w, c.host, flexible);
    w.int32(c.port);
  } else {
    writeArray(w, res.coordinators, flexible, (w, c) => {
      writeString(w, c.key, flexible);
      w.int32(c.nodeId);
      writeString(w, c.host, flexible);
      w.int32(c.port).int16(c.errorCode);
      writeNullableString(w, c.errorMessage, flexible);
    });
  }
  endStruct(w, flexible);
}
