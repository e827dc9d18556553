import { BrokerConfigs, staticBrokerConfigs } from './broker-config';
import { ConfigSource } from './config-types';
import { TOPIC_CONFIGS, TOPIC_CONFIGS_BY_NAME, topicConfigProblem } from './topic-config';

const configs = () => new BrokerConfigs(staticBrokerConfigs({ nodeId: 1, autoCreateTopics: true, defaultPartitions: 3 }));
const topicDef = (name: string) => TOPIC_CONFIGS_BY_NAME.get(name)!;

describe('BrokerConfigs', () => {
  it("resolves a topic config from the topic, else the broker's synonyms (scaled from hours), else Kafka's default", () => {
    const store = configs();
    expect(store.resolveTopic({ 'retention.ms': '1000' }, topicDef('retention.ms'))).toEqual({
      value: '1000',
      source: ConfigSource.DynamicTopic,
      synonyms: [
        { name: 'retention.ms', value: '1000', source: ConfigSource.DynamicTopic },
        { name: 'log.retention.hours', value: '168', source: ConfigSource.Default },
      ],
    });
    expect(store.resolveTopic({}, topicDef('retention.ms'))).toMatchObject({ value: '604800000', source: ConfigSource.Default });
    expect(store.resolveTopic({}, topicDef('segment.bytes'))).toMatchObject({ value: '67108864', source: ConfigSource.StaticBroker });
    expect(store.resolveTopic({}, topicDef('leader.replication.throttled.replicas'))).toEqual({ value: '', source: ConfigSource.Default, synonyms: [] });
  });

  it('prefers the per-broker dynamic value over the cluster-wide default, and both over static ones', () => {
    const store = configs();
    let changes = 0;
    store.onChange(() => changes++);
    store.apply('cluster', [{ name: 'log.segment.bytes', value: '2000' }]);
    expect(store.resolveTopic({}, topicDef('segment.bytes'))).toMatchObject({ value: '2000', source: ConfigSource.DynamicDefaultBroker });
    store.apply('broker', [{ name: 'log.segment.bytes', value: '3000' }]);
    expect(store.resolveTopic({}, topicDef('segment.bytes')).synonyms.map((s) => s.source)).toEqual([2, 3, 4, 5]);
    expect(store.resolveBroker('log.segment.bytes', 'cluster')).toMatchObject({ value: '2000', source: ConfigSource.DynamicDefaultBroker });
    store.apply('broker', [{ name: 'log.segment.bytes', value: null }]);
    expect(store.resolveBroker('log.segment.bytes', 'broker').value).toBe('2000');
    expect(changes).toBe(3);
  });

  it('says why a broker config cannot change at run time', () => {
    const store = configs();
    expect(store.problem('num.partitions', '2')?.message).toMatch(/Cannot update these configs dynamically/);
    expect(store.problem('message.max.bytes', 'big')?.message).toMatch(/Invalid value big for configuration message.max.bytes/);
    expect(store.problem('no.such', '1')?.message).toMatch(/unknown broker config/);
    expect(store.problem('message.max.bytes', '2048')).toBeNull();
  });

  it('effective topic configs cover every topic config', () => {
    expect(Object.keys(configs().effectiveTopicConfigs({}))).toEqual(TOPIC_CONFIGS.map((d) => d.name));
  });
});

describe('topic config validation', () => {
  it.each([
    ['cleanup.policy', 'compact,delete', null],
    ['cleanup.policy', 'archive', 'must be a list of delete, compact'],
    ['min.cleanable.dirty.ratio', '1.5', 'between 0 and 1'],
    ['segment.bytes', '13', 'at least 14'],
    ['segment.bytes', '2147483648', 'an int'],
    ['retention.ms', '-1', null],
    ['retention.ms', '-2', 'at least -1'],
    ['message.timestamp.difference.max.ms', '9223372036854775807', null],
    ['preallocate', 'TRUE', null],
    ['leader.replication.throttled.replicas', '0:1,1:1', null],
    ['message.format.version', '3.0-IV1', null],
  ])('%s=%s', (name, value, problem) => {
    const found = topicConfigProblem(name, value);
    if (problem === null) expect(found).toBeNull();
    else expect(found?.message).toContain(problem);
  });

  it('refuses names Kafka does not know', () => {
    expect(topicConfigProblem('retention.hours', '1')?.message).toBe("unknown topic config 'retention.hours'");
  });
});
