import { FINAL_STATUSES, type SagaState } from '@agentmesh/coordinator';
import { Argument, Option, type Command } from 'commander';
import { parseDuration } from '../../options';
import { SagaCommandError, withStore, withStoreOptions, type StoreFlags } from './common';
import { currentStep, formatDuration, isStuck } from './format';

interface ResumeFlags extends StoreFlags {
  wait: boolean;
  timeout: number;
}

/** Where a resumed saga is, as seen from the store. */
export type ResumeProgress =
  { phase: 'waiting' } | { phase: 'gone' } | { phase: 'moving'; state: SagaState } | { phase: 'finished'; state: SagaState } | { phase: 'stuck-again'; state: SagaState; reason: string };

/**
 * Reads the saga's progress after a resume request (`requested`, the state
 * the request wrote): the request is consumed by the owner's next look, which
 * moves the saga on (or finds nothing to do and leaves it stuck).
 */
export function resumeProgress(requested: SagaState, current: SagaState | undefined): ResumeProgress {
  if (!current) return { phase: 'gone' };
  if (current.resumeRequestedAt !== undefined || current.version <= requested.version) return { phase: 'waiting' };
  if (FINAL_STATUSES.includes(current.status)) return { phase: 'finished', state: current };
  if (isStuck(current.status)) {
    const last = [...current.timeline].reverse().find((e) => e.type === 'STUCK' || e.type === 'RESUMED');
    return { phase: 'stuck-again', state: current, reason: last?.detail ?? current.status };
  }
  return { phase: 'moving', state: current };
}

/** What the owner will do on resume, in words. */
export function resumePlan(state: SagaState): string {
  if (state.status === 'compensation_failed') {
    const step = state.steps.find((s) => s.status === 'compensation_failed');
    return step ? `retry the compensation of step '${step.name}' (with a fresh retry budget), then go on compensating` : 'look at it again (no failed compensation found)';
  }
  const step = state.steps.find((s) => s.status !== 'succeeded');
  return step ? `retry step '${step.name}' (with a fresh retry budget), then go on forward` : 'look at it again (no failed step found)';
}

const POLL_MS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `mesh saga resume <id>`: asks the coordinator to retry a stuck saga, and (by default) waits to see what became of it. */
export function registerSagaResumeCommand(saga: Command): void {
  withStoreOptions(
    saga
      .command('resume')
      .description('resume a stuck saga (compensation_failed or forward_failed): its coordinator retries the failed compensation or step')
      .addArgument(new Argument('<id>', 'the saga id (from `mesh saga ls --state stuck`)'))
      .option('--no-wait', 'return once the request is recorded (by default: wait, up to --timeout, for the coordinator to act and the saga to finish or stop again)')
      .addOption(new Option('--timeout <duration>', 'how long to wait (30s, 2m)').argParser(parseDuration).default(30_000, '30s'))
      .addHelpText(
        'after',
        '\nExit status: 0 when the saga was resumed (and finished, or is still moving at the timeout); 1 when it is not stuck, unknown,\nstuck again, or no coordinator acted on the request within --timeout (the request stays recorded: the owner acts on it when it next looks).',
      ),
  ).action(async (id: string, flags: ResumeFlags) => {
    await withStore(flags, async (store) => {
      const requested = await store.requestResume(id);
      const step = currentStep(requested);
      process.stdout.write(`resume requested for saga ${id} (${requested.type}, ${requested.status}: ${step}); its coordinator will ${resumePlan(requested)}\n`);
      if (!flags.wait) return;
      const started = Date.now();
      const deadline = started + flags.timeout;
      let announced = false;
      for (;;) {
        const progress = resumeProgress(requested, await store.load(id));
        const after = formatDuration(Date.now() - started);
        switch (progress.phase) {
          case 'gone':
            throw new SagaCommandError(`saga ${id} disappeared from the store while waiting (purged?)`);
          case 'finished':
            process.stdout.write(`saga ${id} is now ${progress.state.status} (${after} after the request)\n`);
            return;
          case 'stuck-again':
            throw new SagaCommandError(`saga ${id} is ${progress.state.status} again (${after} after the request): ${progress.reason}`);
          case 'moving':
            if (!announced) process.stdout.write(`resumed: saga ${id} is ${progress.state.status} (${currentStep(progress.state)})\n`);
            announced = true;
            if (Date.now() >= deadline) {
              process.stdout.write(`saga ${id} is still ${progress.state.status} after ${formatDuration(flags.timeout)} (${currentStep(progress.state)}); follow it with \`mesh saga show ${id}\`\n`);
              return;
            }
            break;
          case 'waiting':
            if (Date.now() >= deadline) {
              throw new SagaCommandError(
                `no coordinator acted on the resume of saga ${id} within ${formatDuration(flags.timeout)}: is \`mesh coordinator\` running with saga type '${requested.type}' (same --redis and --key-prefix)? The request stays recorded; the owner acts on it when it next looks`,
              );
            }
            break;
        }
        await sleep(POLL_MS);
      }
    });
  });
}
