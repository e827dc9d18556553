import type { OutputAlternative, OutputEvent } from '../agent/types';
import { EncodeError } from '../codec/errors';
import { InvalidOutputsError } from '../failure/errors';
import type { OutputAttemptResult } from '../observability/metrics';
import { firstValidOutputs, MAX_OUTPUT_SAMPLE_CHARS, outputSample, type OutputChainIo } from './output-chain';

type Answer = { label: string };
const out = (label: string): OutputEvent[] => [{ topic: 'answers', key: 'k', value: { label } }];
const event = { topic: 'q', partition: 0, offset: '0', key: 'k', value: {}, headers: {}, eventId: 'e', correlationId: 'e', attempt: 1, timestamp: 0 };

/** IO whose encode refuses labels in `breaksContract`, and whose alternatives answer from a table. */
function io(options: { breaksContract?: string[]; answers?: Record<string, () => OutputEvent[]> } = {}) {
  const counted: Array<[string, OutputAttemptResult]> = [];
  const ran: string[] = [];
  const chain: OutputChainIo<string> = {
    encode: async (outputs) => {
      const label = (outputs[0]!.value as Answer).label;
      if (options.breaksContract?.includes(label)) throw new EncodeError('answers', [{ field: 'label', expected: 'enum', got: label, message: `field 'label' expected enum, got ${label}` }]);
      return `encoded ${label}`;
    },
    run: async (alternative) => {
      ran.push(alternative.name);
      return options.answers![alternative.name]!();
    },
    count: (by, result) => counted.push([by, result]),
  };
  return { chain, counted, ran };
}

const alt = (name: string): OutputAlternative => ({ name, handle: () => [] });
const isLabel = (outputs: readonly OutputEvent[]) =>
  (outputs[0]?.value as Answer | undefined)?.label === 'bug' || (outputs[0]?.value as Answer | undefined)?.label === 'question' ? true : 'label must be bug or question';

describe('the output chain', () => {
  it("sends the handler's outputs when they pass, running no alternative", async () => {
    const { chain, counted, ran } = io({ answers: {} });
    expect(await firstValidOutputs(out('bug'), { validate: isLabel, alternatives: [alt('backup')] }, event, chain)).toBe('encoded bug');
    expect(ran).toEqual([]);
    expect(counted).toEqual([['handler', 'valid']]);
  });

  it('runs the next alternative when the outputs fail validate or their contract, and tells it what failed', async () => {
    const seen: unknown[] = [];
    const { chain, counted, ran } = io({ breaksContract: ['gibberish'], answers: { 'other-prompt': () => out('gibberish'), 'backup-model': () => out('question') } });
    const run = chain.run.bind(chain);
    chain.run = (a, failed) => (seen.push(failed.map((f) => f.by)), run(a, failed));
    const checks = { validate: (o: readonly OutputEvent[]) => ((o[0]!.value as Answer).label === 'gibberish' ? true : isLabel(o)), alternatives: [alt('other-prompt'), alt('backup-model')] };
    expect(await firstValidOutputs(out('sure, here is your JSON'), checks, event, chain)).toBe('encoded question');
    expect(ran).toEqual(['other-prompt', 'backup-model']);
    expect(seen).toEqual([['handler'], ['handler', 'other-prompt']]);
    expect(counted).toEqual([
      ['handler', 'invalid'],
      ['other-prompt', 'invalid'],
      ['backup-model', 'valid'],
    ]);
  });

  it('fails with every candidate and its output when all fail; an alternative that throws is one of them', async () => {
    const { chain, counted } = io({ answers: { 'backup-model': () => Promise.reject(new Error('model unavailable')) as never, rules: () => out('maybe') } });
    const error = await firstValidOutputs(out('spam'), { validate: isLabel, alternatives: [alt('backup-model'), alt('rules')] }, event, chain).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOutputsError);
    expect((error as InvalidOutputsError).failures).toEqual([
      { by: 'handler', problem: 'label must be bug or question', output: '[{"topic":"answers","key":"k","value":{"label":"spam"}}]' },
      { by: 'backup-model', problem: 'threw Error: model unavailable' },
      { by: 'rules', problem: 'label must be bug or question', output: '[{"topic":"answers","key":"k","value":{"label":"maybe"}}]' },
    ]);
    expect(counted.map(([, r]) => r)).toEqual(['invalid', 'error', 'invalid']);
  });

  it('leaves errors that are not about the outputs (the registry away) to the caller', async () => {
    const { chain } = io();
    chain.encode = () => Promise.reject(new Error('registry unreachable'));
    await expect(firstValidOutputs(out('bug'), { alternatives: [alt('x')] }, event, chain)).rejects.toThrow('registry unreachable');
  });

  it('keeps output samples short', () => {
    expect(outputSample([{ topic: 't', value: 'x'.repeat(5_000) }])).toHaveLength(MAX_OUTPUT_SAMPLE_CHARS);
  });
});
