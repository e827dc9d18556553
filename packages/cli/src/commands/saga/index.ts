import type { Command } from 'commander';
import { registerSagaLsCommand } from './ls';
import { registerSagaPurgeCommand } from './purge';
import { registerSagaResumeCommand } from './resume';
import { registerSagaShowCommand } from './show';
import { registerSagaSignalCommand } from './signal';

/** `mesh saga ls|show|resume|signal|purge`: operate the sagas the coordinators keep in Redis. */
export function registerSagaCommand(program: Command): void {
  const saga = program
    .command('saga')
    .description('inspect, resume and purge the sagas `mesh coordinator` runs (their state is in Redis)')
    .addHelpText(
      'after',
      "\nEvery subcommand takes --redis (default $REDIS_URL or redis://127.0.0.1:6379) and --key-prefix (the coordinator's; default mesh:saga:).\nStuck sagas (compensation_failed, forward_failed) wait for an operator: find them with `ls --state stuck`, read them with `show`, retry them with `resume`.\nWaiting sagas (at a wait step) wait for `signal --approve` or `--reject`, or their deadline: find them with `ls --state waiting`.",
    );
  registerSagaLsCommand(saga);
  registerSagaShowCommand(saga);
  registerSagaResumeCommand(saga);
  registerSagaSignalCommand(saga);
  registerSagaPurgeCommand(saga);
}
