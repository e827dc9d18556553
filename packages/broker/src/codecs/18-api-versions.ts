import { endStruct, readString, skipTaggedFields, writeArray } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

/** v3 (KIP-511) is flexible in its body, but its response header stays v0 so any client can read the version list. */
export const API_VERSIONS_FLEXIBLE_FROM = 3;

export interface ApiVersionsRequest {
  /** v3+: who is asking (librdkafka, the Java client); empty before v3. */
  clientSoftwareName: string;
  clientSoftwareVersion: string;
}

export interface ApiVersionsResponse {
  errorCode: number;
  apis: Array<{ key: number; minVersion: number; maxVersion: number }>;
}

export function decodeApiVersionsRequest(r: Reader, version: number): ApiVersionsRequest {
  if (version < API_VERSIONS_FLEXIBLE_FROM) return { clientSoftwareName: '', clientSoftwareVersion: '' };
  const clientSoftwareName = readString(r, true);
  const clientSoftwareVersion = readString(r, true);
  skipTaggedFields(r, true);
  return { clientSoftwareName, clientSoftwareVersion };
}

export function encodeApiVersionsResponse(w: Writer, res: ApiVersionsResponse, version: number): void {
  const flexible = version >= API_VERSIONS_FLEXIBLE_FROM;
  w.int16(res.errorCode);
  writeArray(w, res.apis, flexible, (w, a) => w.int16(a.key).int16(a.minVersion).int16(a.maxVersion));
  if (version >= 1) w.int32(0); // throttle time
  endStruct(w, flexible);
}
