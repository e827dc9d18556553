import type { Command } from 'commander';
import { parseDuration, stopOnSignals } from '../../options';
import { fleetOptions, fleetReader, readView, windowText, type FleetFlags } from './common';
import { renderStatus, statusJson } from './render';

interface StatusFlags extends FleetFlags {
  watch: boolean;
  every: number;
  publishAlerts: boolean;
}

/** Clears the terminal and moves to its top, so each refresh redraws in place. */
const REDRAW = '\u001b[H\u001b[2J';

/**
 * `mesh status`: one table of the agents and coordinators with their alerts. `--watch` refreshes until stopped, tracks
 * alerts across refreshes (each fires after its rule's `for`) and publishes their transitions on mesh.alerts.
 */
export function registerStatusCommand(program: Command): void {
  fleetOptions(program.command('status').description('the mesh at a glance: agents and coordinators, instances, lag in records and seconds, rates, errors, breakers, DLQ size, health trend, alerts'))
    .option('--watch', 'refresh until stopped (Ctrl-C), redrawing in place; with --json, one JSON object per line', false)
    .option('--every <duration>', 'how often --watch refreshes', parseDuration, 5_000)
    .option('--no-publish-alerts', 'with --watch, do not publish alert transitions on mesh.alerts')
    .addHelpText(
      'after',
      "\nWithout --watch, an alert whose rule needs its condition to hold for a while (the rule's `for`) shows as pending.\nExits 1 when no agent has sent a heartbeat in the window.",
    )
    .action(async (flags: StatusFlags) => {
      const log = (line: string) => process.stderr.write(`${line}\n`);
      // Alerts are told as log lines (stderr) by the long-running --watch only; a one-shot status shows them in its output.
      const { reader, brokers } = fleetReader(flags, flags.watch ? { publishAlerts: flags.publishAlerts, log } : {});
      if (!flags.watch) {
        try {
          const view = await readView(reader, brokers, flags.window);
          process.stdout.write(flags.json ? `${JSON.stringify(statusJson(view, brokers))}\n` : renderStatus(view, windowText(flags.window)));
        } finally {
          await reader.close();
        }
        return;
      }
      await watch(flags, reader, brokers);
    });
}

async function watch(flags: StatusFlags, reader: ReturnType<typeof fleetReader>['reader'], brokers: readonly string[]): Promise<void> {
  let stopped = false;
  let wake: () => void = () => undefined;
  stopOnSignals(async () => {
    stopped = true;
    wake();
    await reader.close();
  });
  const tty = process.stdout.isTTY === true;
  while (!stopped) {
    try {
      const view = await readView(reader, brokers, flags.window);
      if (flags.json) process.stdout.write(`${JSON.stringify(statusJson(view, brokers))}\n`);
      else process.stdout.write((tty ? REDRAW : '\n') + renderStatus(view, windowText(flags.window)));
    } catch (error) {
      // The broker went away, or there is no mesh yet: say so and keep refreshing.
      const line = `${error instanceof Error ? error.message : String(error)} (trying again every ${windowText(flags.every)})`;
      if (flags.json) process.stderr.write(`${line}\n`);
      else process.stdout.write(`${tty ? REDRAW : '\n'}${line}\n`);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, flags.every);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
