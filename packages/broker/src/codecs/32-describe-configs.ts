import { endStruct, readArray, readNullableScalarArray, readString, skipTaggedFields, writeArray, writeNullableString, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';
import { ConfigSource } from '../state/config-types';

export const DESCRIBE_CONFIGS_FLEXIBLE_FROM = 4;
/** Kafka's ConfigResource.Type codes (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs). */
export const ResourceType = { Topic: 2, Broker: 4, BrokerLogger: 8 } as const;
export { ConfigSource };

export interface DescribeConfigsRequest {
  resources: Array<{ type: number; name: string; keys: string[] | null }>;
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

export interface DescribedSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  source: number;
  sensitive: boolean;
  synonyms: DescribedSynonym[];
  type: number;
  documentation: string | null;
}

export interface DescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  type: number;
  name: string;
  configs: DescribedConfig[];
}

export interface DescribeConfigsResponse {
  results: DescribeConfigsResult[];
}

export function decodeDescribeConfigsRequest(r: Reader, version: number): DescribeConfigsRequest {
  const flexible = version >= DESCRIBE_CONFIGS_FLEXIBLE_FROM;
  const resources = readArray(r, flexible, (x) => ({ type: x.int8(), name: readString(x, flexible), keys: readNullableScalarArray(x, flexible, (k) => readString(k, flexible)) }));
  const includeSynonyms = version >= 1 ? r.boolean() : false;
  const includeDocumentation = version >= 3 ? r.boolean() : false;
  skipTaggedFields(r, flexible);
  return { resources, includeSynonyms, includeDocumentation };
}

export function encodeDescribeConfigsResponse(w: Writer, res: DescribeConfigsResponse, version: number): void {
  const flexible = version >= DESCRIBE_CONFIGS_FLEXIBLE_FROM;
  w.int32(0); // throttle time
  writeArray(w, res.results, flexible, (w, x) => {
    w.int16(x.errorCode);
    writeNullableString(w, x.errorMessage, flexible);
    w.int8(x.type);
    writeString(w, x.name, flexible);
    writeArray(w, x.configs, flexible, (w, c) => {
      writeString(w, c.name, flexible);
      writeNullableString(w, c.value, flexible);
      w.boolean(c.readOnly);
      if (version === 0) w.boolean(c.source === ConfigSource.Default);
      else w.int8(c.source);
      w.boolean(c.sensitive);
      if (version >= 1) {
        writeArray(w, c.synonyms, flexible, (w, s) => {
          writeString(w, s.name, flexible);
          writeNullableString(w, s.value, flexible);
          w.int8(s.source);
        });
      }
      if (version >= 3) {
        w.int8(c.type);
        writeNullableString(w, c.documentation, flexible);
      }
    });
  });
  endStruct(w, flexible);
}
