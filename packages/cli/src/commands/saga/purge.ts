import type { SagaStore } from '@agentmesh/coordinator';
import type { Command } from 'commander';
import { parseDuration, UsageError } from '../../options';
import { withStore, withStoreOptions, type StoreFlags } from './common';
import { formatDuration } from './format';

interface PurgeFlags extends StoreFlags {
  completed: boolean;
  compensated: boolean;
  olderThan?: number;
  dryRun: boolean;
}

type FinishedStatus = 'completed' | 'compensated';

const EXAMPLE = 'e.g. mesh saga purge --completed --compensated --older-than 7d';

/** The statuses to purge and the age, or a UsageError naming what is missing. */
export function purgeRequest(flags: Pick<PurgeFlags, 'completed' | 'compensated' | 'olderThan'>): { statuses: FinishedStatus[]; olderThanMs: number } {
  const statuses: FinishedStatus[] = [];
  if (flags.completed) statuses.push('completed');
  if (flags.compensated) statuses.push('compensated');
  if (statuses.length === 0) throw new UsageError(`say which finished sagas to purge: --completed, --compensated or both (${EXAMPLE})`);
  if (flags.olderThan === undefined) throw new UsageError(`--older-than is required: purge deletes only sagas started at least that long ago (${EXAMPLE})`);
  return { statuses, olderThanMs: flags.olderThan };
}

/** Sagas a purge would delete now: the store's status index holds them by start time, as purge reads them. */
async function countPurgeable(store: SagaStore, status: FinishedStatus, cutoff: number): Promise<number> {
  return store.redis.zcount(store.keys.status(status), '-inf', cutoff);
}

/** `mesh saga purge`: deletes finished sagas (never running or stuck ones) started before a cutoff. */
export function registerSagaPurgeCommand(saga: Command): void {
  withStoreOptions(
    saga
      .command('purge')
      .description('delete finished sagas (completed and/or compensated) started at least --older-than ago; running and stuck sagas are never purged')
      .option('--completed', 'purge completed sagas', false)
      .option('--compensated', 'purge compensated sagas', false)
      .option('--older-than <duration>', 'only sagas started at least this long ago (required: 30s, 10m, 2h, 7d)', parseDuration)
      .option('--dry-run', 'count what would be purged, delete nothing', false),
  ).action(async (flags: PurgeFlags) => {
    const { statuses, olderThanMs } = purgeRequest(flags);
    await withStore(flags, async (store) => {
      // Also waits for the connection: countPurgeable talks to the client directly.
      const before = await store.countByStatus();
      const now = Date.now();
      const counts: Array<[FinishedStatus, number]> = [];
      for (const status of statuses) counts.push([status, flags.dryRun ? await countPurgeable(store, status, now - olderThanMs) : await store.purge([status], olderThanMs, now)]);
      const total = counts.reduce((n, [, c]) => n + c, 0);
      const detail = counts.map(([s, c]) => `${c} of ${before[s]} ${s}`).join(', ');
      process.stdout.write(
        `${flags.dryRun ? 'would purge' : 'purged'} ${total} saga(s) started more than ${formatDuration(olderThanMs)} ago: ${detail}${flags.dryRun ? ' (dry run: nothing deleted)' : ''}\n`,
      );
    });
  });
}
