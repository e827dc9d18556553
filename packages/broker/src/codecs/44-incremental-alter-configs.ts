import { readArray, readNullableString, readString, skipTaggedFields } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';

export const INCREMENTAL_ALTER_CONFIGS_FLEXIBLE_FROM = 1;

export interface IncrementalAlterConfigsResource {
  type: number;
  name: string;
  configs: Array<{ name: string; operation: number; value: string | null }>;
}

export interface IncrementalAlterConfigsRequest {
  resources: IncrementalAlterConfigsResource[];
  validateOnly: boolean;
}

export function decodeIncrementalAlterConfigsRequest(r: Reader, version: number): IncrementalAlterConfigsRequest {
  const flexible = version >= INCREMENTAL_ALTER_CONFIGS_FLEXIBLE_FROM;
  const resources = readArray(r, flexible, (x) => ({
    type: x.int8(),
    name: readString(x, flexible),
    configs: readArray(x, flexible, (c) => ({ name: readString(c, flexible), operation: c.int8(), value: readNullableString(c, flexible) })),
  }));
  const validateOnly = r.boolean();
  skipTaggedFields(r, flexible);
  return { resources, validateOnly };
}
