import { categoryByWords, REFUSAL_TEXT, seededDraw, STAND_IN_MODELS, standInAnswer, StandInLlm, tokensOf, type LlmCall } from './stand-in-llm';

describe('the stand-in model', () => {
  const prompt = 'Classify this support ticket.\n\nSubject: Charged twice\n\nMy card was charged twice for the invoice.';

  it('answers the same question the same way for the same seed, and differently across seeds', () => {
    expect(standInAnswer(7, STAND_IN_MODELS.primary, 'classify', prompt)).toEqual(standInAnswer(7, STAND_IN_MODELS.primary, 'classify', prompt));
    expect(seededDraw(1, 'a', 'b')).toBe(seededDraw(1, 'a', 'b'));
    expect(seededDraw(1, 'a', 'b')).not.toBe(seededDraw(2, 'a', 'b'));
  });

  it('refuses and breaks its JSON at about its rates, and bills prompt and answer', () => {
    const model = { name: 'flaky', refuseRate: 0.2, invalidJsonRate: 0.3 };
    const kinds = { answer: 0, refusal: 0, 'invalid-json': 0 };
    for (let i = 0; i < 2_000; i++) kinds[standInAnswer(i, model, 'classify', prompt).kind]++;
    expect(kinds.refusal / 2_000).toBeCloseTo(0.2, 1);
    expect(kinds['invalid-json'] / 2_000).toBeCloseTo(0.3, 1);
    const answer = standInAnswer(3, { name: 'steady', refuseRate: 0, invalidJsonRate: 0 }, 'classify', prompt);
    expect(JSON.parse(answer.text)).toMatchObject({ category: 'BILLING', priority: 'URGENT' });
    expect(answer.tokens).toBe(tokensOf(prompt) + tokensOf(answer.text));
    expect(standInAnswer(3, { name: 'no', refuseRate: 1, invalidJsonRate: 0 }, 'draft-reply', prompt).text).toBe(REFUSAL_TEXT);
  });

  it('reads categories and urgency from the words of a ticket', () => {
    expect(categoryByWords('The dashboard is down with an error')).toEqual({ category: 'TECHNICAL', priority: 'URGENT' });
    expect(categoryByWords('I forgot my password for the login')).toEqual({ category: 'ACCOUNT', priority: 'NORMAL' });
    expect(categoryByWords('Lovely product')).toEqual({ category: 'OTHER', priority: 'LOW' });
  });

  it('meters a call when it is made, and is aborted by its signal', async () => {
    const calls: LlmCall[] = [];
    const llm = new StandInLlm({ seed: 1, latencyMs: 60_000, instance: 'p1', meter: { spent: async (call) => void calls.push(call) } });
    const abort = new AbortController();
    const pending = llm.complete({ model: STAND_IN_MODELS.backup, task: 'summarize', prompt, ticketId: 't-1', step: 'summarize' }, abort.signal);
    await new Promise((r) => setImmediate(r));
    abort.abort(new Error('deadline'));
    await expect(pending).rejects.toThrow('deadline');
    expect(calls).toEqual([{ ticketId: 't-1', step: 'summarize', model: 'stand-in-large', tokens: expect.any(Number) as unknown, instance: 'p1' }]);
  });
});
