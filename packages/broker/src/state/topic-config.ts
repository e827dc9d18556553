/** Topic configs the broker understands, with Kafka's names and defaults. */
export interface TopicConfigDefinition {
  name: string;
  default: string;
  /** Returns a problem description, or null when the value is acceptable. */
  validate(value: string): string | null;
}

const nonNegativeInt = (v: string): string | null => (/^\d+$/.test(v) ? null : 'must be a non-negative integer');
const longOrMinusOne = (v: string): string | null => (/^(-1|\d+)$/.test(v) ? null : 'must be -1 or a non-negative integer');
const positiveInt = (v: string): string | null => (/^[1-9]\d*$/.test(v) ? null : 'must be a positive integer');

export const TOPIC_CONFIGS: readonly TopicConfigDefinition[] = [
  { name: 'cleanup.policy', default: 'delete', validate: (v) => (/^(delete|compact|compact,delete|delete,compact)$/.test(v) ? null : "must be 'delete', 'compact' or both") },
  { name: 'retention.ms', default: '604800000', validate: longOrMinusOne },
  { name: 'retention.bytes', default: '-1', validate: longOrMinusOne },
  { name: 'segment.bytes', default: '67108864', validate: positiveInt },
  { name: 'segment.ms', default: '604800000', validate: positiveInt },
  { name: 'max.message.bytes', default: '1048588', validate: positiveInt },
  { name: 'min.compaction.lag.ms', default: '0', validate: nonNegativeInt },
  { name: 'delete.retention.ms', default: '86400000', validate: nonNegativeInt },
  { name: 'message.timestamp.type', default: 'CreateTime', validate: (v) => (v === 'CreateTime' || v === 'LogAppendTime' ? null : "must be 'CreateTime' or 'LogAppendTime'") },
  { name: 'compression.type', default: 'producer', validate: (v) => (/^(producer|uncompressed|gzip|snappy|lz4|zstd)$/.test(v) ? null : 'unknown compression type') },
  { name: 'min.insync.replicas', default: '1', validate: positiveInt },
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((c) => [c.name, c]));

export type ConfigProblem = { name: string; message: string };

/** Checks requested topic configs; unknown names and bad values are refused, naming the config. */
export function validateTopicConfigs(configs: Record<string, string | null>): ConfigProblem | null {
  for (const [name, value] of Object.entries(configs)) {
    const def = BY_NAME.get(name);
    if (!def) return { name, message: `unknown topic config '${name}'` };
    if (value === null) continue;
    const problem = def.validate(value);
    if (problem) return { name, message: `config '${name}'=${value} ${problem}` };
  }
  return null;
}

/** The effective value of a config: the topic's own, else the default. */
export function topicConfigValue(configs: Record<string, string>, name: string): string {
  return configs[name] ?? BY_NAME.get(name)?.default ?? '';
}

export function isDefaultConfig(configs: Record<string, string>, name: string): boolean {
  return configs[name] === undefined;
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

export function logSettings(configs: Record<string, string>): LogSettings {
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
