import { Argument, InvalidArgumentError, type Command } from 'commander';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { parseBrokerList, parsePositiveInt, UsageError } from '../../options';
import { BROKERS_HELP, brokersOf, collect, withAdmin, type KafkaFlags } from '../dlq/common';
import { watermarks } from '../dlq/topics';
import { requireTopic, topicsKafka } from './common';

interface LsFlags extends KafkaFlags {
  all: boolean;
  json: boolean;
}

interface DescribeFlags extends KafkaFlags {
  json: boolean;
}

interface CreateFlags extends KafkaFlags {
  partitions: number;
  config: string[];
}

/** `k=v` pairs of `--config`, parsed into one clear error. */
export function parseConfigs(pairs: readonly string[]): Array<{ name: string; value: string }> {
  return pairs.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--config '${pair}' is not key=value`);
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
  });
}

function parseNonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`'${value}' is not a whole number`);
  return Number(value);
}

/** A topic's configs, or undefined when the broker does not answer DescribeConfigs. */
async function topicConfigs(admin: Admin, topic: string): Promise<Record<string, string | null> | undefined> {
  try {
    const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }], includeSynonyms: false });
    const entries = described.resources[0]?.configEntries ?? [];
    return Object.fromEntries(entries.map((e) => [e.configName, e.isSensitive ? '(sensitive)' : e.configValue] as const).sort(([a], [b]) => a.localeCompare(b)));
  } catch {
    return undefined;
  }
}

function registerLs(topics: Command): void {
  topics
    .command('ls')
    .description('list topics with their partition counts (internal __ topics only with --all)')
    .option('--all', 'include internal topics (names starting with __)', false)
    .option('--json', 'print one JSON object per topic', false)
    .option('--brokers <list>', BROKERS_HELP, parseBrokerList)
    .action(async (flags: LsFlags) => {
      const brokers = brokersOf(flags);
      const found = await withAdmin(topicsKafka(brokers, 'topics-ls'), brokers, async (admin) => {
        const names = (await admin.listTopics()).filter((t) => flags.all || !t.startsWith('__'));
        if (names.length === 0) return [];
        const meta = await admin.fetchTopicMetadata({ topics: names });
        return meta.topics.map((t) => ({ topic: t.name, partitions: t.partitions.length })).sort((a, b) => a.topic.localeCompare(b.topic));
      });
      if (flags.json) {
        for (const t of found) process.stdout.write(`${JSON.stringify(t)}\n`);
        return;
      }
      if (found.length === 0) {
        process.stdout.write('no topics\n');
        return;
      }
      const width = Math.max(5, ...found.map((t) => t.topic.length));
      process.stdout.write(`${'TOPIC'.padEnd(width)}  PARTITIONS\n`);
      for (const t of found) process.stdout.write(`${t.topic.padEnd(width)}  ${t.partitions}\n`);
    });
}

function registerDescribe(topics: Command): void {
  topics
    .command('describe')
    .description("a topic's partitions (leader, replicas, low/high offsets) and configs (when the broker answers DescribeConfigs)")
    .addArgument(new Argument('<topic>', 'the topic to describe'))
    .option('--json', 'print one JSON object', false)
    .option('--brokers <list>', BROKERS_HELP, parseBrokerList)
    .action(async (topic: string, flags: DescribeFlags) => {
      const brokers = brokersOf(flags);
      const described = await withAdmin(topicsKafka(brokers, 'topics-describe'), brokers, async (admin) => {
        await requireTopic(admin, topic);
        const meta = await admin.fetchTopicMetadata({ topics: [topic] });
        const marks = new Map((await watermarks(admin, topic)).map((w) => [w.partition, w] as const));
        const partitions = (meta.topics[0]?.partitions ?? [])
          .map((p) => ({
            partition: p.partitionId,
            leader: p.leader,
            replicas: p.replicas,
            low: (marks.get(p.partitionId)?.low ?? 0n).toString(),
            high: (marks.get(p.partitionId)?.high ?? 0n).toString(),
          }))
          .sort((a, b) => a.partition - b.partition);
        return { topic, partitions, configs: (await topicConfigs(admin, topic)) ?? null };
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(described)}\n`);
        return;
      }
      const lines = [`topic: ${topic}`, `partitions: ${described.partitions.length}`, '  PARTITION  LEADER  REPLICAS  LOW  HIGH'];
      for (const p of described.partitions) lines.push(`  ${String(p.partition).padEnd(9)}  ${String(p.leader).padEnd(6)}  ${p.replicas.join(',').padEnd(8)}  ${p.low}  ${p.high}`);
      if (described.configs === null) lines.push('configs: (the broker did not answer DescribeConfigs)');
      else {
        lines.push(`configs:${Object.keys(described.configs).length === 0 ? ' (none)' : ''}`);
        for (const [name, value] of Object.entries(described.configs)) lines.push(`  ${name}=${value ?? ''}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

function registerCreate(topics: Command): void {
  topics
    .command('create')
    .description('create a topic')
    .addArgument(new Argument('<topic>', 'the topic to create'))
    .option('--partitions <n>', 'number of partitions', parsePositiveInt, 1)
    .option('--replication-factor <n>', 'replicas per partition (default: the broker default)', parseNonNegativeInt)
    .option('--config <key=value>', 'a topic config, e.g. retention.ms=86400000 (repeatable)', collect, [])
    .option('--brokers <list>', BROKERS_HELP, parseBrokerList)
    .action(async (topic: string, flags: CreateFlags & { replicationFactor?: number }) => {
      const configEntries = parseConfigs(flags.config);
      const brokers = brokersOf(flags);
      const created = await withAdmin(topicsKafka(brokers, 'topics-create'), brokers, (admin) =>
        admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic, numPartitions: flags.partitions, ...(flags.replicationFactor !== undefined ? { replicationFactor: flags.replicationFactor } : {}), configEntries }],
        }),
      );
      if (!created) throw new UsageError(`topic '${topic}' already exists`);
      process.stdout.write(`created topic ${topic} with ${flags.partitions} partition${flags.partitions === 1 ? '' : 's'}\n`);
    });
}

/** `mesh topics ls|describe|create`. */
export function registerTopicsCommand(program: Command): void {
  const topics = program.command('topics').description('list, describe and create Kafka topics');
  registerLs(topics);
  registerDescribe(topics);
  registerCreate(topics);
}
