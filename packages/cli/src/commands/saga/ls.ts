import type { SagaState } from '@agentmesh/coordinator';
import { Option, type Command } from 'commander';
import { parseDuration, parsePositiveInt } from '../../options';
import { withStore, withStoreOptions, type StoreFlags } from './common';
import { formatDuration, newestFirst, renderCounts, renderSagaTable, SAGA_STATE_FILTERS, sagaSummaryJson, statusesFor, type SagaStateFilter } from './format';

interface LsFlags extends StoreFlags {
  state?: SagaStateFilter;
  olderThan?: number;
  limit: number;
  json: boolean;
}

/** `mesh saga ls`: the newest sagas (by start), filtered by status and age, and the counts per status. */
export function registerSagaLsCommand(saga: Command): void {
  withStoreOptions(
    saga
      .command('ls')
      .description('list sagas, newest first: id, type, status, current (or failed) step, age and trace id; then the counts per status')
      .addOption(new Option('--state <state>', 'only sagas in this status; stuck = compensation_failed or forward_failed').choices(SAGA_STATE_FILTERS))
      .option('--older-than <duration>', 'only sagas started at least this long ago (30s, 10m, 2h, 7d)', parseDuration)
      .option('--limit <n>', 'at most this many sagas', parsePositiveInt, 50)
      .option('--json', 'print one JSON document: {"sagas": [...], "counts": {...}, "more": bool}', false),
  ).action(async (flags: LsFlags) => {
    await withStore(flags, async (store) => {
      const now = Date.now();
      // Per status, so the newest `limit` over all of them is exact (the store's list fills status by status).
      const found: SagaState[] = [];
      for (const status of statusesFor(flags.state)) found.push(...(await store.list({ statuses: [status], olderThanMs: flags.olderThan, limit: flags.limit + 1, now })));
      const sorted = found.sort(newestFirst);
      const more = sorted.length > flags.limit;
      const shown = sorted.slice(0, flags.limit);
      const counts = await store.countByStatus();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ sagas: shown.map((s) => sagaSummaryJson(s, now)), counts, more })}\n`);
        return;
      }
      if (shown.length === 0) {
        const what = [flags.state ? `in status ${flags.state}` : '', flags.olderThan !== undefined ? `started more than ${formatDuration(flags.olderThan)} ago` : ''].filter(Boolean).join(', ');
        process.stdout.write(`no sagas${what ? ` ${what}` : ''}\n`);
      } else {
        process.stdout.write(renderSagaTable(shown, now));
        if (more) process.stdout.write(`(the newest ${flags.limit} shown; raise --limit to see more)\n`);
      }
      process.stdout.write(renderCounts(counts));
    });
  });
}
