import { endStruct, readArray, readNullableString, readString, skipTaggedFields, writeArray, writeNullableString, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const ALTER_CONFIGS_FLEXIBLE_FROM = 2;

export interface AlterConfigsResource {
  type: number;
  name: string;
  configs: Array<{ name: string; value: string | null }>;
}

export interface AlterConfigsRequest {
  resources: AlterConfigsResource[];
  validateOnly: boolean;
}

/** The answer of AlterConfigs and IncrementalAlterConfigs: one outcome per resource. */
export interface AlterConfigsResponse {
  results: Array<{ errorCode: number; errorMessage: string | null; type: number; name: string }>;
}

export function decodeAlterConfigsRequest(r: Reader, version: number): AlterConfigsRequest {
  const flexible = version >= ALTER_CONFIGS_FLEXIBLE_FROM;
  const resources = readArray(r, flexible, (x) => ({
    type: x.int8(),
    name: readString(x, flexible),
    configs: readArray(x, flexible, (c) => ({ name: readString(c, flexible), value: readNullableString(c, flexible) })),
  }));
  const validateOnly = r.boolean();
  skipTaggedFields(r, flexible);
  return { resources, validateOnly };
}

export function encodeAlterConfigsResponse(w: Writer, res: AlterConfigsResponse, flexible: boolean): void {
  w.int32(0); // throttle time
  writeArray(w, res.results, flexible, (w, x) => {
    w.int16(x.errorCode);
    writeNullableString(w, x.errorMessage, flexible);
    w.int8(x.type);
    writeString(w, x.name, flexible);
  });
  endStruct(w, flexible);
}
