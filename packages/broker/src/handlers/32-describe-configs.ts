import { defineApi, type RequestContext } from '../api/types';
import {
  decodeDescribeConfigsRequest,
  DESCRIBE_CONFIGS_FLEXIBLE_FROM,
  encodeDescribeConfigsResponse,
  ResourceType,
  type DescribeConfigsRequest,
  type DescribeConfigsResponse,
  type DescribeConfigsResult,
  type DescribedConfig,
} from '../codecs/32-describe-configs';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { clusterAllowed, topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';
import { BROKER_CONFIGS, type ResolvedConfig } from '../state/broker-config';
import { TOPIC_CONFIGS } from '../state/topic-config';

interface DescribeOptions {
  includeSynonyms: boolean;
  wanted(name: string): boolean;
}

function entry(name: string, resolved: ResolvedConfig, type: number, readOnly: boolean, options: DescribeOptions): DescribedConfig {
  return {
    name,
    value: resolved.value,
    readOnly,
    source: resolved.source,
    sensitive: false,
    synonyms: options.includeSynonyms ? resolved.synonyms : [],
    type,
    documentation: null,
  };
}

/**
 * A broker resource: its id describes what this broker runs with (every
 * level); the empty name describes only the cluster-wide dynamic defaults.
 */
function describeBroker(name: string, ctx: RequestContext, options: DescribeOptions): DescribeConfigsResult {
  const scope = name === '' ? 'cluster' : 'broker';
  if (scope === 'broker' && name !== String(ctx.cluster.config.nodeId)) {
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Unexpected broker id, expected ${ctx.cluster.config.nodeId} or empty string, but received ${name}`,
      type: ResourceType.Broker,
      name,
      configs: [],
    };
  }
  const store = ctx.cluster.brokerConfigs;
  const configs = BROKER_CONFIGS.filter((d) => options.wanted(d.name))
    .map((d) => entry(d.name, store.resolveBroker(d.name, scope), d.type, !d.dynamic, options))
    .filter((c) => scope === 'broker' || c.synonyms.length > 0 || c.value !== null);
  return { errorCode: ErrorCode.NONE, errorMessage: null, type: ResourceType.Broker, name, configs };
}

function describeTopic(name: string, ctx: RequestContext, options: DescribeOptions): DescribeConfigsResult {
  const topic = ctx.cluster.topics.get(name);
  if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic '${name}' does not exist.`, type: ResourceType.Topic, name, configs: [] };
  const store = ctx.cluster.brokerConfigs;
  const configs = TOPIC_CONFIGS.filter((d) => options.wanted(d.name)).map((d) => entry(d.name, store.resolveTopic(topic.configs, d), d.type, false, options));
  return { errorCode: ErrorCode.NONE, errorMessage: null, type: ResourceType.Topic, name, configs };
}

function handleDescribeConfigs(req: DescribeConfigsRequest, ctx: RequestContext): DescribeConfigsResponse {
  return {
    results: req.resources.map((res): DescribeConfigsResult => {
      const options: DescribeOptions = { includeSynonyms: req.includeSynonyms, wanted: (name) => res.keys === null || res.keys.length === 0 || res.keys.includes(name) };
      const refused = (errorCode: ErrorCode, errorMessage: string): DescribeConfigsResult => ({ errorCode, errorMessage, type: res.type, name: res.name, configs: [] });
      if (res.type === ResourceType.Broker) {
        if (!clusterAllowed(ctx, AclOperation.DESCRIBE_CONFIGS)) return refused(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'DESCRIBE_CONFIGS on the cluster is not allowed');
        return describeBroker(res.name, ctx, options);
      }
      if (res.type === ResourceType.Topic) {
        if (!topicAllowed(ctx, AclOperation.DESCRIBE_CONFIGS, res.name)) return refused(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `DESCRIBE_CONFIGS on topic '${res.name}' is not allowed`);
        return describeTopic(res.name, ctx, options);
      }
      return refused(ErrorCode.INVALID_REQUEST, `resource type ${res.type} is not supported`);
    }),
  };
}

export const describeConfigsApi = defineApi<DescribeConfigsRequest, DescribeConfigsResponse>({
  key: ApiKey.DescribeConfigs,
  name: 'DescribeConfigs',
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: DESCRIBE_CONFIGS_FLEXIBLE_FROM,
  decode: decodeDescribeConfigsRequest,
  encode: encodeDescribeConfigsResponse,
  handle: handleDescribeConfigs,
});
