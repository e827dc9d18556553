import type { Logger } from 'pino';
import type { CheckpointStore } from '../checkpoint/store';
import { asJournal, journalId, type StepJournalState } from './journal-record';
import { nextStepTryInMs, resolveStepOptions, type StepOptions } from './step-options';

/** A step's try did not finish within its own timeoutMs. Transient: the step's retries, then the event's, apply. */
export class StepTimeoutError extends Error {
  override readonly name = 'StepTimeoutError';
  constructor(
    readonly step: string,
    readonly timeoutMs: number,
  ) {
    super(`step '${step}' did not finish within ${timeoutMs} ms`);
  }
}

/** Two steps of one handler call with one name: their journal entries would be one. */
export class DuplicateStepError extends Error {
  override readonly name = 'DuplicateStepError';
}

export interface StepJournalDeps {
  store: CheckpointStore;
  agent: string;
  eventId: string;
  logger: () => Logger;
  /** The handler's deadline: every step's signal aborts with it. */
  signal: () => AbortSignal;
  random: () => number;
  /** The event's journal as the worker read it with its batch's (journal/prefetch.ts): the first step reads nothing. */
  prefetched?: StepJournalState | undefined;
}

/**
 * `ctx.step` of one event: the journal is read once, on the first step, unless the worker read it with its batch; a step found in it returns its
 * journaled result without running; a new one runs (with its own timeout and tries), and its result is
 * journaled (one store write) before the handler goes on.
 */
export class StepJournal {
  private journal: Promise<StepJournalState> | undefined;
  private readonly named = new Set<string>();
  /** A step was asked for: the journal may exist, and is cleared when the event is finished. */
  used = false;

  constructor(private readonly deps: StepJournalDeps) {
    if (deps.prefetched) this.journal = Promise.resolve(deps.prefetched);
  }

  async run<T>(name: string, fn: (signal: AbortSignal) => Promise<T> | T, options?: StepOptions): Promise<T> {
    const settings = resolveStepOptions(name, options);
    if (this.named.has(name)) throw new DuplicateStepError(`step '${name}' was already run in this handler call: give each step its own name`);
    this.named.add(name);
    this.used = true;
    const { store, agent, eventId } = this.deps;
    this.journal ??= store.load(agent, journalId(eventId), this.deps.logger()).then((loaded) => asJournal(loaded?.state));
    const journal = await this.journal;
    const done = journal.steps[name];
    if (done) {
      this.deps.logger().debug({ step: name }, 'step replayed from the journal');
      return done.value as T;
    }
    const value = await this.tries(name, fn, settings);
    journal.steps[name] = value === undefined ? {} : { value };
    await store.save(agent, journalId(eventId), journal);
    return value;
  }

  private async tries<T>(name: string, fn: (signal: AbortSignal) => Promise<T> | T, settings: Required<StepOptions>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(name, fn, settings.timeoutMs);
      } catch (error) {
        const waitMs = this.deps.signal().aborted ? undefined : nextStepTryInMs(settings, attempt, this.deps.random());
        if (waitMs === undefined) throw error;
        this.deps.logger().warn({ step: name, attempt, retryInMs: waitMs, error: (error as Error).message }, 'step failed; trying again');
        await abortableWait(waitMs, this.deps.signal());
      }
    }
  }

  private async once<T>(name: string, fn: (signal: AbortSignal) => Promise<T> | T, timeoutMs: number): Promise<T> {
    const handler = this.deps.signal();
    if (!Number.isFinite(timeoutMs)) return fn(handler);
    const own = new AbortController();
    const signal = AbortSignal.any([handler, own.signal]);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new StepTimeoutError(name, timeoutMs);
        own.abort(error);
        reject(error);
      }, timeoutMs);
    });
    try {
      return await Promise.race([Promise.resolve(fn(signal)), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function abortableWait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
