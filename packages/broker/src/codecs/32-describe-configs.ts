import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const ResourceType = { Topic: 2, Broker: 4 } as const;
export const ConfigSource = { DynamicTopic: 1, StaticBroker: 4, Default: 5 } as const;

export interface DescribeConfigsRequest {
  resources: Array<{ type: number; name: string; keys: string[] | null }>;
  includeSynonyms: boolean;
}

export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  source: number;
  sensitive: boolean;
}

export interface DescribeConfigsResponse {
  results: Array<{ errorCode: number; errorMessage: string | null; type: number; name: string; configs: DescribedConfig[] }>;
}

export function decodeDescribeConfigsRequest(r: Reader, version: number): DescribeConfigsRequest {
  const resources = r.array((x) => ({ type: x.int8(), name: x.string(), keys: x.nullableArray((k) => k.string()) }));
  return { resources, includeSynonyms: version >= 1 ? r.boolean() : false };
}

export function encodeDescribeConfigsResponse(w: Writer, res: DescribeConfigsResponse, version: number): void {
  w.int32(0);
  w.array(res.results, (w, x) => {
    w.int16(x.errorCode).nullableString(x.errorMessage).int8(x.type).string(x.name);
    w.array(x.configs, (w, c) => {
      w.string(c.name).nullableString(c.value).boolean(c.readOnly);
      if (version === 0) w.boolean(c.source === ConfigSource.Default);
      else w.int8(c.source);
      w.boolean(c.sensitive);
      if (version >= 1) w.array([], () => undefined); // synonyms
    });
  });
}
