import { anyLong, anyString, doubleBetween, intAtLeast, isBoolean, listOf, longAtLeast, oneOf, ConfigSource, ConfigType, type ConfigValidator } from './config-types';
import { TOPIC_CONFIGS, TOPIC_CONFIGS_BY_NAME, TOPIC_DEFAULTS_IN_FORCE, type TopicConfigDefinition } from './topic-config';

/** A broker config: Kafka's name, default and type, and whether AlterConfigs may change it at run time. */
export interface BrokerConfigDefinition {
  name: string;
  /** Apache Kafka 3.x's default; null where Kafka has none (log.retention.ms). */
  default: string | null;
  type: ConfigType;
  /** Kafka lets it change at run time (per broker or cluster-wide): AlterConfigs accepts it. */
  dynamic: boolean;
  validate: ConfigValidator;
}

const LONG_MAX = '9223372036854775807';
const def = (name: string, dflt: string | null, type: ConfigType, dynamic: boolean, validate: ConfigValidator): BrokerConfigDefinition => ({ name, default: dflt, type, dynamic, validate });

/** The broker configs this broker reports, Kafka's usual ones, sorted by name as Kafka lists them. */
export const BROKER_CONFIGS: readonly BrokerConfigDefinition[] = [
  def('auto.create.topics.enable', 'true', ConfigType.Boolean, false, isBoolean),
  def('broker.id', '-1', ConfigType.Int, false, intAtLeast(-1)),
  def('compression.type', 'producer', ConfigType.String, true, oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer')),
  def('default.replication.factor', '1', ConfigType.Int, false, intAtLeast(1)),
  def('delete.topic.enable', 'true', ConfigType.Boolean, false, isBoolean),
  def('group.initial.rebalance.delay.ms', '3000', ConfigType.Int, false, intAtLeast(0)),
  def('group.max.session.timeout.ms', '1800000', ConfigType.Int, false, intAtLeast(0)),
  def('group.min.session.timeout.ms', '6000', ConfigType.Int, false, intAtLeast(0)),
  def('log.cleaner.delete.retention.ms', '86400000', ConfigType.Long, true, longAtLeast(0)),
  def('log.cleaner.max.compaction.lag.ms', LONG_MAX, ConfigType.Long, true, longAtLeast(1)),
  def('log.cleaner.min.cleanable.ratio', '0.5', ConfigType.Double, true, doubleBetween(0, 1)),
  def('log.cleaner.min.compaction.lag.ms', '0', ConfigType.Long, true, longAtLeast(0)),
  def('log.cleanup.policy', 'delete', ConfigType.List, true, listOf('delete', 'compact')),
  def('log.flush.interval.messages', LONG_MAX, ConfigType.Long, true, longAtLeast(1)),
  def('log.flush.interval.ms', null, ConfigType.Long, true, longAtLeast(0)),
  def('log.index.interval.bytes', '4096', ConfigType.Int, true, intAtLeast(0)),
  def('log.index.size.max.bytes', '10485760', ConfigType.Int, true, intAtLeast(4)),
  def('log.message.downconversion.enable', 'true', ConfigType.Boolean, true, isBoolean),
  def('log.message.format.version', '3.0-IV1', ConfigType.String, false, anyString),
  def('log.message.timestamp.difference.max.ms', LONG_MAX, ConfigType.Long, true, longAtLeast(0)),
  def('log.message.timestamp.type', 'CreateTime', ConfigType.String, true, oneOf('CreateTime', 'LogAppendTime')),
  def('log.preallocate', 'false', ConfigType.Boolean, true, isBoolean),
  def('log.retention.bytes', '-1', ConfigType.Long, true, anyLong),
  def('log.retention.hours', '168', ConfigType.Int, false, intAtLeast(-1)),
  def('log.retention.minutes', null, ConfigType.Int, false, intAtLeast(-1)),
  def('log.retention.ms', null, ConfigType.Long, true, longAtLeast(-1)),
  def('log.roll.hours', '168', ConfigType.Int, false, intAtLeast(1)),
  def('log.roll.jitter.hours', '0', ConfigType.Int, false, intAtLeast(0)),
  def('log.roll.jitter.ms', null, ConfigType.Long, true, longAtLeast(0)),
  def('log.roll.ms', null, ConfigType.Long, true, longAtLeast(1)),
  def('log.segment.bytes', '1073741824', ConfigType.Int, true, intAtLeast(14)),
  def('log.segment.delete.delay.ms', '60000', ConfigType.Long, true, longAtLeast(0)),
  def('message.max.bytes', '1048588', ConfigType.Int, true, intAtLeast(0)),
  def('min.insync.replicas', '1', ConfigType.Int, true, intAtLeast(1)),
  def('node.id', '-1', ConfigType.Int, false, intAtLeast(-1)),
  def('num.partitions', '1', ConfigType.Int, false, intAtLeast(1)),
  def('offsets.topic.num.partitions', '50', ConfigType.Int, false, intAtLeast(1)),
  def('offsets.topic.replication.factor', '3', ConfigType.Short, false, intAtLeast(1)),
  def('transaction.state.log.min.isr', '2', ConfigType.Int, false, intAtLeast(1)),
  def('transaction.state.log.replication.factor', '3', ConfigType.Short, false, intAtLeast(1)),
  def('unclean.leader.election.enable', 'false', ConfigType.Boolean, true, isBoolean),
];

export const BROKER_CONFIGS_BY_NAME: ReadonlyMap<string, BrokerConfigDefinition> = new Map(BROKER_CONFIGS.map((c) => [c.name, c]));

/** One place a config's value comes from; DescribeConfigs lists them as synonyms, most specific first. */
export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: ConfigSource;
}

export interface ResolvedConfig {
  value: string | null;
  source: ConfigSource;
  /** Every level that sets it (Kafka's synonyms), most specific first; the first one is in force. */
  synonyms: ConfigSynonym[];
}

export interface BrokerConfigProblem {
  name: string;
  message: string;
}

/**
 * The broker's configs at every level Kafka has: static (this process's
 * options, where they differ from Kafka's defaults), dynamic for this broker,
 * and dynamic cluster-wide defaults (AlterConfigs on broker "" ). Topics fall
 * back to these through their synonyms. Dynamic values live in memory: a
 * restart returns to the static ones.
 */
export class BrokerConfigs {
  private readonly perBroker = new Map<string, string>();
  private readonly clusterDefault = new Map<string, string>();
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly statics: Readonly<Record<string, string>>) {}

  /** Calls `listener` after every change, so topics can re-read their settings. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** The levels that set a broker config, most specific first. */
  synonymsOf(name: string): ConfigSynonym[] {
    const out: ConfigSynonym[] = [];
    const perBroker = this.perBroker.get(name);
    if (perBroker !== undefined) out.push({ name, value: perBroker, source: ConfigSource.DynamicBroker });
    const clusterDefault = this.clusterDefault.get(name);
    if (clusterDefault !== undefined) out.push({ name, value: clusterDefault, source: ConfigSource.DynamicDefaultBroker });
    const fixed = this.statics[name];
    if (fixed !== undefined) out.push({ name, value: fixed, source: ConfigSource.StaticBroker });
    const dflt = BROKER_CONFIGS_BY_NAME.get(name)?.default;
    if (dflt !== undefined && dflt !== null) out.push({ name, value: dflt, source: ConfigSource.Default });
    return out;
  }

  /** A broker config as broker `scope` sees it: 'broker' (this broker) or 'cluster' (the dynamic defaults, resource name ""). */
  resolveBroker(name: string, scope: 'broker' | 'cluster'): ResolvedConfig {
    const synonyms = this.synonymsOf(name).filter((s) => scope === 'broker' || s.source === ConfigSource.DynamicDefaultBroker);
    const first = synonyms[0];
    return first ? { value: first.value, source: first.source, synonyms } : { value: null, source: ConfigSource.Default, synonyms };
  }

  /** A topic config: the topic's own value, else the first broker synonym that is set, else Kafka's default. */
  resolveTopic(topicConfigs: Readonly<Record<string, string>>, definition: TopicConfigDefinition): ResolvedConfig {
    const synonyms: ConfigSynonym[] = [];
    const own = topicConfigs[definition.name];
    if (own !== undefined) synonyms.push({ name: definition.name, value: own, source: ConfigSource.DynamicTopic });
    let inForce: ResolvedConfig | null = own !== undefined ? { value: own, source: ConfigSource.DynamicTopic, synonyms } : null;
    for (const s of definition.synonyms) {
      for (const level of this.synonymsOf(s.name)) {
        synonyms.push(level);
        if (!inForce && level.value !== null) inForce = { value: scaled(level.value, s.scale), source: level.source, synonyms };
      }
    }
    return inForce ?? { value: definition.default, source: ConfigSource.Default, synonyms };
  }

  /** Every topic config's value in force, for the log's settings. */
  effectiveTopicConfigs(topicConfigs: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of TOPIC_CONFIGS) out[d.name] = this.resolveTopic(topicConfigs, d).value ?? d.default;
    return out;
  }

  /** Why a broker config cannot be set to this value at run time, or null. */
  problem(name: string, value: string | null): BrokerConfigProblem | null {
    const d = BROKER_CONFIGS_BY_NAME.get(name);
    if (!d) return { name, message: `unknown broker config '${name}'` };
    if (!d.dynamic) return { name, message: `Cannot update these configs dynamically: Set(${name})` };
    if (value === null) return null;
    const problem = d.validate(value);
    return problem ? { name, message: `Invalid value ${value} for configuration ${name}: ${problem}` } : null;
  }

  /** Applies validated dynamic configs (null deletes); `scope` 'cluster' sets the cluster-wide defaults. */
  apply(scope: 'broker' | 'cluster', changes: ReadonlyArray<{ name: string; value: string | null }>): void {
    const target = scope === 'broker' ? this.perBroker : this.clusterDefault;
    for (const c of changes) {
      if (c.value === null) target.delete(c.name);
      else target.set(c.name, c.value);
    }
    for (const l of this.listeners) l();
  }

  /** The dynamic configs set at a scope (AlterConfigs replaces these as a whole). */
  dynamicAt(scope: 'broker' | 'cluster'): ReadonlyMap<string, string> {
    return scope === 'broker' ? this.perBroker : this.clusterDefault;
  }
}

/** The static broker configs in force for these broker options, where they differ from Kafka's defaults. */
export function staticBrokerConfigs(options: { nodeId: number; autoCreateTopics: boolean; defaultPartitions: number }): Record<string, string> {
  return {
    'broker.id': String(options.nodeId),
    'node.id': String(options.nodeId),
    'auto.create.topics.enable': String(options.autoCreateTopics),
    'num.partitions': String(options.defaultPartitions),
    // One broker: internal topics have one replica, and one in-sync replica is enough.
    'offsets.topic.replication.factor': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    // The group coordinator's own rules (groups/group-state.ts), quicker than Kafka's for tests and dev.
    'group.min.session.timeout.ms': '1000',
    'group.initial.rebalance.delay.ms': '200',
    // Topic defaults this broker changes on purpose (64 MiB segments for a dev broker).
    'log.segment.bytes': TOPIC_DEFAULTS_IN_FORCE['segment.bytes']!,
  };
}

function scaled(value: string, scale: number): string {
  if (scale === 1) return value;
  const n = BigInt(value.trim());
  return n < 0n ? String(n) : String(n * BigInt(scale));
}

export { TOPIC_CONFIGS_BY_NAME };
