import type { OutputAlternative, OutputChecks, OutputEvent } from '../agent/types';
import { InvalidOutputsError, PermanentError, type FailedOutput } from '../failure/errors';
import type { OutputAttemptResult } from '../observability/metrics';

/** A candidate's outputs as the failure history keeps them: JSON of topic, key and value, cut short. */
export const MAX_OUTPUT_SAMPLE_CHARS = 500;

/** What the chain needs from the worker: the checks that cost I/O, and running an alternative. */
export interface OutputChainIo<R> {
  /** Encodes the outputs with their topics' contracts; throws a PermanentError for outputs that break them. */
  encode(outputs: readonly OutputEvent[]): Promise<R>;
  /** Runs one alternative (under the handler's deadline). */
  run(alternative: OutputAlternative, failed: readonly FailedOutput[]): Promise<OutputEvent[]>;
  /** Counts each candidate's result, by who made it. */
  count(by: string, result: OutputAttemptResult): void;
}

export function outputSample(outputs: readonly OutputEvent[]): string {
  let text: string;
  try {
    text = JSON.stringify(outputs.map((o) => ({ topic: o.topic, key: o.key ?? null, value: o.value })));
  } catch (error) {
    text = `(not JSON: ${(error as Error).message})`;
  }
  return text.length > MAX_OUTPUT_SAMPLE_CHARS ? `${text.slice(0, MAX_OUTPUT_SAMPLE_CHARS - 1)}…` : text;
}

/**
 * The first candidate whose outputs pass the agent's checks, encoded: the handler's, else each alternative's in
 * turn. A candidate fails when `validate` says why not, when its outputs break a contract (a PermanentError from
 * `encode`), or (an alternative) when it throws. Every candidate failing: InvalidOutputsError with each one's story.
 * Other errors of `encode` (the registry away) are the caller's.
 */
export async function firstValidOutputs<R>(
  handlerOutputs: readonly OutputEvent[],
  checks: OutputChecks,
  event: Parameters<NonNullable<OutputChecks['validate']>>[1],
  io: OutputChainIo<R>,
): Promise<R> {
  const failed: FailedOutput[] = [];
  const alternatives = checks.alternatives ?? [];
  let by = 'handler';
  let candidate: readonly OutputEvent[] | undefined = handlerOutputs;
  for (let next = 0; ; next++) {
    if (candidate !== undefined) {
      const problem = await problemOf(candidate, checks, event);
      if (problem === undefined) {
        try {
          const encoded = await io.encode(candidate);
          io.count(by, 'valid');
          return encoded;
        } catch (error) {
          if (!(error instanceof PermanentError)) throw error;
          failed.push({ by, problem: error.message, output: outputSample(candidate) });
        }
      } else failed.push({ by, problem, output: outputSample(candidate) });
      io.count(by, 'invalid');
    }
    const alternative = alternatives[next];
    if (!alternative) throw new InvalidOutputsError(failed);
    by = alternative.name;
    try {
      candidate = await io.run(alternative, [...failed]);
    } catch (error) {
      candidate = undefined;
      failed.push({ by, problem: `threw ${(error as Error).name ?? 'an error'}: ${(error as Error).message ?? String(error)}` });
      io.count(by, 'error');
    }
  }
}

async function problemOf(outputs: readonly OutputEvent[], checks: OutputChecks, event: Parameters<NonNullable<OutputChecks['validate']>>[1]): Promise<string | undefined> {
  if (!checks.validate) return undefined;
  try {
    const verdict = await checks.validate(outputs, event);
    return verdict === true ? undefined : String(verdict || 'refused by validate');
  } catch (error) {
    return `validate threw: ${(error as Error).message}`;
  }
}
