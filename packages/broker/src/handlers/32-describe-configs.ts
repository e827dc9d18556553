import { defineApi, type RequestContext } from '../api/types';
import {
  ConfigSource,
  decodeDescribeConfigsRequest,
  encodeDescribeConfigsResponse,
  ResourceType,
  type DescribeConfigsRequest,
  type DescribeConfigsResponse,
  type DescribedConfig,
} from '../codecs/32-describe-configs';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { clusterAllowed, topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';
import { isDefaultConfig, TOPIC_CONFIGS, topicConfigValue } from '../state/topic-config';

function brokerConfigs(ctx: RequestContext): DescribedConfig[] {
  const c = ctx.cluster.config;
  const entry = (name: string, value: string): DescribedConfig => ({ name, value, readOnly: true, source: ConfigSource.StaticBroker, sensitive: false });
  return [entry('broker.id', String(c.nodeId)), entry('auto.create.topics.enable', String(c.autoCreateTopics)), entry('num.partitions', String(c.defaultPartitions))];
}

function handleDescribeConfigs(req: DescribeConfigsRequest, ctx: RequestContext): DescribeConfigsResponse {
  return {
    results: req.resources.map((res) => {
      const wanted = (name: string) => res.keys === null || res.keys.length === 0 || res.keys.includes(name);
      if (res.type === ResourceType.Broker && !clusterAllowed(ctx, AclOperation.DESCRIBE_CONFIGS)) {
        return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'DESCRIBE_CONFIGS on the cluster is not allowed', type: res.type, name: res.name, configs: [] };
      }
      if (res.type === ResourceType.Topic && !topicAllowed(ctx, AclOperation.DESCRIBE_CONFIGS, res.name)) {
        return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `DESCRIBE_CONFIGS on topic '${res.name}' is not allowed`, type: res.type, name: res.name, configs: [] };
      }
      if (res.type === ResourceType.Broker) {
        return { errorCode: ErrorCode.NONE, errorMessage: null, type: res.type, name: res.name, configs: brokerConfigs(ctx).filter((c) => wanted(c.name)) };
      }
      if (res.type !== ResourceType.Topic) {
        return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource type ${res.type} is not supported`, type: res.type, name: res.name, configs: [] };
      }
      const topic = ctx.cluster.topics.get(res.name);
      if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic '${res.name}' does not exist`, type: res.type, name: res.name, configs: [] };
      const configs = TOPIC_CONFIGS.filter((d) => wanted(d.name)).map((d): DescribedConfig => ({
        name: d.name,
        value: topicConfigValue(topic.configs, d.name),
        readOnly: false,
        source: isDefaultConfig(topic.configs, d.name) ? ConfigSource.Default : ConfigSource.DynamicTopic,
        sensitive: false,
      }));
      return { errorCode: ErrorCode.NONE, errorMessage: null, type: res.type, name: res.name, configs };
    }),
  };
}

export const describeConfigsApi = defineApi<DescribeConfigsRequest, DescribeConfigsResponse>({
  key: ApiKey.DescribeConfigs,
  name: 'DescribeConfigs',
  minVersion: 0,
  maxVersion: 1,
  decode: decodeDescribeConfigsRequest,
  encode: encodeDescribeConfigsResponse,
  handle: handleDescribeConfigs,
});
