import { anyLong, doubleBetween, intAtLeast, isBoolean, listOf, longAtLeast, oneOf, ConfigType, type ConfigValidator } from './config-types';

/** Where a topic config falls back to when the topic does not set it: a broker config, maybe scaled (hours to ms). */
export interface BrokerSynonym {
  name: string;
  /** The broker value times this is the topic value (log.retention.hours -> retention.ms). */
  scale: number;
}

/** Topic configs, with Kafka's names, types, defaults and broker synonyms. */
export interface TopicConfigDefinition {
  name: string;
  /** Apache Kafka 3.x's default. */
  default: string;
  type: ConfigType;
  /** Broker configs consulted, most specific first (Kafka's synonyms). */
  synonyms: readonly BrokerSynonym[];
  /** Returns a problem description, or null when the value is acceptable. */
  validate: ConfigValidator;
}

const LONG_MAX = '9223372036854775807';
const syn = (name: string, scale = 1): BrokerSynonym => ({ name, scale });
const throttledReplicas: ConfigValidator = (v) => (/^(\*|\s*|(\s*\d+\s*:\s*\d+\s*)(,\s*\d+\s*:\s*\d+\s*)*)$/.test(v) ? null : "must be '*' or a list of partition:broker");
const messageFormat: ConfigValidator = (v) => (/^\d+\.\d+(\.\d+)?(-IV\d+)?$/.test(v.trim()) ? null : 'must be a Kafka version such as 3.0-IV1');

/**
 * Kafka's topic configs (LogConfig), in the order Kafka 3.x lists them in
 * DescribeConfigs (its map's order, which clients and people see).
 */
export const TOPIC_CONFIGS: readonly TopicConfigDefinition[] = [
  { name: 'compression.type', default: 'producer', type: ConfigType.String, synonyms: [syn('compression.type')], validate: oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer') },
  { name: 'leader.replication.throttled.replicas', default: '', type: ConfigType.List, synonyms: [], validate: throttledReplicas },
  { name: 'message.downconversion.enable', default: 'true', type: ConfigType.Boolean, synonyms: [syn('log.message.downconversion.enable')], validate: isBoolean },
  { name: 'min.insync.replicas', default: '1', type: ConfigType.Int, synonyms: [syn('min.insync.replicas')], validate: intAtLeast(1) },
  { name: 'segment.jitter.ms', default: '0', type: ConfigType.Long, synonyms: [syn('log.roll.jitter.ms'), syn('log.roll.jitter.hours', 3_600_000)], validate: longAtLeast(0) },
  { name: 'cleanup.policy', default: 'delete', type: ConfigType.List, synonyms: [syn('log.cleanup.policy')], validate: listOf('delete', 'compact') },
  { name: 'flush.ms', default: LONG_MAX, type: ConfigType.Long, synonyms: [syn('log.flush.interval.ms')], validate: longAtLeast(0) },
  { name: 'follower.replication.throttled.replicas', default: '', type: ConfigType.List, synonyms: [], validate: throttledReplicas },
  { name: 'segment.bytes', default: '1073741824', type: ConfigType.Int, synonyms: [syn('log.segment.bytes')], validate: intAtLeast(14) },
  {
    name: 'retention.ms',
    default: '604800000',
    type: ConfigType.Long,
    synonyms: [syn('log.retention.ms'), syn('log.retention.minutes', 60_000), syn('log.retention.hours', 3_600_000)],
    validate: longAtLeast(-1),
  },
  { name: 'flush.messages', default: LONG_MAX, type: ConfigType.Long, synonyms: [syn('log.flush.interval.messages')], validate: longAtLeast(1) },
  { name: 'message.format.version', default: '3.0-IV1', type: ConfigType.String, synonyms: [syn('log.message.format.version')], validate: messageFormat },
  { name: 'max.compaction.lag.ms', default: LONG_MAX, type: ConfigType.Long, synonyms: [syn('log.cleaner.max.compaction.lag.ms')], validate: longAtLeast(1) },
  { name: 'file.delete.delay.ms', default: '60000', type: ConfigType.Long, synonyms: [syn('log.segment.delete.delay.ms')], validate: longAtLeast(0) },
  { name: 'max.message.bytes', default: '1048588', type: ConfigType.Int, synonyms: [syn('message.max.bytes')], validate: intAtLeast(0) },
  { name: 'min.compaction.lag.ms', default: '0', type: ConfigType.Long, synonyms: [syn('log.cleaner.min.compaction.lag.ms')], validate: longAtLeast(0) },
  { name: 'message.timestamp.type', default: 'CreateTime', type: ConfigType.String, synonyms: [syn('log.message.timestamp.type')], validate: oneOf('CreateTime', 'LogAppendTime') },
  { name: 'preallocate', default: 'false', type: ConfigType.Boolean, synonyms: [syn('log.preallocate')], validate: isBoolean },
  { name: 'min.cleanable.dirty.ratio', default: '0.5', type: ConfigType.Double, synonyms: [syn('log.cleaner.min.cleanable.ratio')], validate: doubleBetween(0, 1) },
  { name: 'index.interval.bytes', default: '4096', type: ConfigType.Int, synonyms: [syn('log.index.interval.bytes')], validate: intAtLeast(0) },
  { name: 'unclean.leader.election.enable', default: 'false', type: ConfigType.Boolean, synonyms: [syn('unclean.leader.election.enable')], validate: isBoolean },
  { name: 'retention.bytes', default: '-1', type: ConfigType.Long, synonyms: [syn('log.retention.bytes')], validate: anyLong },
  { name: 'delete.retention.ms', default: '86400000', type: ConfigType.Long, synonyms: [syn('log.cleaner.delete.retention.ms')], validate: longAtLeast(0) },
  { name: 'segment.ms', default: '604800000', type: ConfigType.Long, synonyms: [syn('log.roll.ms'), syn('log.roll.hours', 3_600_000)], validate: longAtLeast(1) },
  { name: 'message.timestamp.difference.max.ms', default: LONG_MAX, type: ConfigType.Long, synonyms: [syn('log.message.timestamp.difference.max.ms')], validate: longAtLeast(0) },
  { name: 'segment.index.bytes', default: '10485760', type: ConfigType.Int, synonyms: [syn('log.index.size.max.bytes')], validate: intAtLeast(4) },
];

export const TOPIC_CONFIGS_BY_NAME: ReadonlyMap<string, TopicConfigDefinition> = new Map(TOPIC_CONFIGS.map((c) => [c.name, c]));

/**
 * Where this broker's static configuration differs from Kafka's defaults on
 * purpose (a dev broker on a laptop): the value in force when neither the
 * topic nor a dynamic broker config sets one. DescribeConfigs reports these as
 * STATIC_BROKER_CONFIG.
 */
export const TOPIC_DEFAULTS_IN_FORCE: Readonly<Record<string, string>> = {
  'segment.bytes': '67108864',
};

export type ConfigProblem = { name: string; message: string };

/** Checks one topic config; an unknown name or a bad value is refused, naming the config. */
export function topicConfigProblem(name: string, value: string | null): ConfigProblem | null {
  const def = TOPIC_CONFIGS_BY_NAME.get(name);
  if (!def) return { name, message: `unknown topic config '${name}'` };
  if (value === null) return null;
  const problem = def.validate(value);
  return problem ? { name, message: `Invalid value ${value} for configuration ${name}: ${problem}` } : null;
}

/** Checks requested topic configs; the first problem wins. */
export function validateTopicConfigs(configs: Record<string, string | null>): ConfigProblem | null {
  for (const [name, value] of Object.entries(configs)) {
    const problem = topicConfigProblem(name, value);
    if (problem) return problem;
  }
  return null;
}

/** The effective value of a config without dynamic broker configs: the topic's own, else the value in force. */
export function topicConfigValue(configs: Readonly<Record<string, string>>, name: string): string {
  return configs[name] ?? TOPIC_DEFAULTS_IN_FORCE[name] ?? TOPIC_CONFIGS_BY_NAME.get(name)?.default ?? '';
}

/** The parsed view of the configs the log acts on. */
export interface LogSettings {
  compact: boolean;
  deleteByRetention: boolean;
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
  segmentMs: number;
  maxMessageBytes: number;
  logAppendTime: boolean;
  minCompactionLagMs: number;
}

export function logSettings(configs: Readonly<Record<string, string>>): LogSettings {
  const policy = topicConfigValue(configs, 'cleanup.policy');
  const num = (n: string) => Number(topicConfigValue(configs, n));
  return {
    compact: policy.includes('compact'),
    deleteByRetention: policy.includes('delete'),
    retentionMs: num('retention.ms'),
    retentionBytes: num('retention.bytes'),
    segmentBytes: num('segment.bytes'),
    segmentMs: num('segment.ms'),
    maxMessageBytes: num('max.message.bytes'),
    logAppendTime: topicConfigValue(configs, 'message.timestamp.type') === 'LogAppendTime',
    minCompactionLagMs: num('min.compaction.lag.ms'),
  };
}
