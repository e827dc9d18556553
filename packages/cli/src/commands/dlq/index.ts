import type { Command } from 'commander';
import { registerDlqLsCommand } from './ls';
import { registerDlqReplayCommand } from './replay';
import { registerDlqShowCommand } from './show';

/** `mesh dlq ls|show|replay`: inspect and redrive agents' dead-letter topics. */
export function registerDlqCommand(program: Command): void {
  const dlq = program
    .command('dlq')
    .description("inspect and redrive agents' dead-letter topics (<agent>.dlq)")
    .addHelpText(
      'after',
      '\nValues: `show` decodes Avro with the schema registry (--registry); --schemaless shows values as JSON/text without asking it.\n`--json` on ls and show means JSON output, one object per line (unlike `publish --json`, which means schemaless values).',
    );
  registerDlqLsCommand(dlq);
  registerDlqShowCommand(dlq);
  registerDlqReplayCommand(dlq);
}
