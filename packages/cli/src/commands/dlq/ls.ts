import { Argument, type Command } from 'commander';
import { parseBrokerList } from '../../options';
import { BROKERS_HELP, brokersOf, dlqKafka, withAdmin, type KafkaFlags } from './common';
import { readDeadLetter } from './dead-letter';
import { readRanges, throwawayGroupId } from './read-ranges';
import { countDeadLetter, emptySummary, renderSummaryTable, type AgentDlqSummary } from './summary';
import { listDlqTopics, requireDlqTopic, watermarks, withKafka, type PartitionRange } from './topics';

interface LsFlags extends KafkaFlags {
  json: boolean;
}

/**
 * `mesh dlq ls [agent]`: reads each DLQ from its low to its high watermark
 * (as of the start) with a throwaway group that commits nothing, and counts.
 */
export function registerDlqLsCommand(dlq: Command): void {
  dlq
    .command('ls')
    .description('count dead letters per agent and per error kind')
    .addArgument(new Argument('[agent]', "only this agent's DLQ (<agent>.dlq)"))
    .option('--brokers <list>', BROKERS_HELP, parseBrokerList)
    .option('--json', 'print one JSON object per agent instead of a table', false)
    .action(async (agent: string | undefined, flags: LsFlags) => {
      const brokers = brokersOf(flags);
      const kafka = dlqKafka(brokers, 'ls');
      const { topics, ranges } = await withAdmin(kafka, brokers, async (admin) => {
        const found = agent === undefined ? await listDlqTopics(admin) : new Map([[agent, await requireDlqTopic(admin, agent)]]);
        const all: PartitionRange[] = [];
        for (const topic of found.values()) for (const w of await watermarks(admin, topic)) all.push({ topic, partition: w.partition, start: w.low, end: w.high });
        return { topics: found, ranges: all };
      });
      if (topics.size === 0) {
        if (!flags.json) process.stdout.write(`no dead-letter topics (*.dlq) on ${brokers.join(',')}\n`);
        return;
      }
      const byTopic = new Map<string, AgentDlqSummary>([...topics].map(([name, topic]) => [topic, emptySummary(name, topic)]));
      await withKafka(brokers, 'read the DLQ topics', () =>
        readRanges(kafka, {
          groupId: throwawayGroupId('ls'),
          ranges,
          onRecords: async (records) => {
            for (const record of records) countDeadLetter(byTopic.get(record.topic)!, readDeadLetter(record));
          },
        }),
      );
      const summaries = [...byTopic.values()];
      if (flags.json) {
        for (const s of summaries) {
          const line = {
            agent: s.agent,
            topic: s.topic,
            total: s.total,
            byKind: Object.fromEntries(s.byKind),
            oldestAt: s.oldestAt === undefined ? null : new Date(s.oldestAt).toISOString(),
            newestAt: s.newestAt === undefined ? null : new Date(s.newestAt).toISOString(),
          };
          process.stdout.write(`${JSON.stringify(line)}\n`);
        }
      } else {
        process.stdout.write(renderSummaryTable(summaries));
      }
    });
}
