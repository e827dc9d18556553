import { createHash } from 'node:crypto';

/**
 * A local, deterministic stand-in for a language model: no network, answers drawn from a seeded PRNG keyed by
 * (seed, model, task, prompt), so the same question gets the same answer in every process and every run, and a
 * crashed run can be compared with one that did not crash. It is slow (a configurable latency), counts tokens,
 * and sometimes refuses or answers with JSON that does not parse, as real models do.
 */

/** What a model is asked to do; each task has its own kind of answer. */
export type LlmTask = 'classify' | 'summarize' | 'draft-reply';

/** One stand-in model and how often it misbehaves. */
export interface StandInModel {
  /** Names it in the token ledger and in answers. */
  name: string;
  /** Share of answers that are a refusal, 0..1. */
  refuseRate: number;
  /** Share of classify answers that are broken JSON, 0..1. */
  invalidJsonRate: number;
}

/** The demo's two models: a cheap primary that misbehaves often, and a backup that rarely does. */
export const STAND_IN_MODELS = {
  primary: { name: 'stand-in-small', refuseRate: 0.1, invalidJsonRate: 0.15 },
  backup: { name: 'stand-in-large', refuseRate: 0.03, invalidJsonRate: 0.05 },
} as const satisfies Record<string, StandInModel>;

export interface LlmAnswer {
  text: string;
  /** Prompt and answer tokens together (about four characters a token). */
  tokens: number;
}

/** What the answer is, apart from its text: the test and the report read it. */
export type AnswerKind = 'answer' | 'refusal' | 'invalid-json';

/** A number in [0, 1) from the seed and the parts: the same inputs give the same draw in any process. */
export function seededDraw(seed: number, ...parts: readonly string[]): number {
  const digest = createHash('sha256')
    .update(`${seed}\u0000${parts.join('\u0000')}`)
    .digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** Tokens of a text, as a tokenizer would roughly count them. */
export function tokensOf(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export const REFUSAL_TEXT = "I'm sorry, but I can't help with that request.";

/** Words that point at a category; the stand-in "understands" a ticket by them (so do the keyword rules). */
export const CATEGORY_WORDS: Readonly<Record<'BILLING' | 'TECHNICAL' | 'ACCOUNT', readonly string[]>> = {
  BILLING: ['invoice', 'charged', 'refund', 'payment', 'billing', 'price'],
  TECHNICAL: ['error', 'crash', 'down', 'slow', 'bug', 'timeout'],
  ACCOUNT: ['password', 'login', 'account', 'email address', 'locked', 'delete my'],
};

const URGENT_WORDS = ['urgent', 'down', 'asap', 'twice', 'locked'];

/** The category and priority the words of a ticket suggest. */
export function categoryByWords(text: string): { category: 'BILLING' | 'TECHNICAL' | 'ACCOUNT' | 'OTHER'; priority: 'LOW' | 'NORMAL' | 'URGENT' } {
  const lower = text.toLowerCase();
  let category: 'BILLING' | 'TECHNICAL' | 'ACCOUNT' | 'OTHER' = 'OTHER';
  let best = 0;
  for (const [name, words] of Object.entries(CATEGORY_WORDS) as Array<[keyof typeof CATEGORY_WORDS, readonly string[]]>) {
    const hits = words.filter((w) => lower.includes(w)).length;
    if (hits > best) [category, best] = [name, hits];
  }
  const priority = URGENT_WORDS.some((w) => lower.includes(w)) ? 'URGENT' : category === 'OTHER' ? 'LOW' : 'NORMAL';
  return { category, priority };
}

/** The answer a model gives to a prompt: pure, the same for the same seed, model, task and prompt. */
export function standInAnswer(seed: number, model: StandInModel, task: LlmTask, prompt: string): LlmAnswer & { kind: AnswerKind } {
  const draw = seededDraw(seed, model.name, task, prompt);
  let kind: AnswerKind = 'answer';
  let text: string;
  if (draw < model.refuseRate) {
    kind = 'refusal';
    text = REFUSAL_TEXT;
  } else if (task === 'classify') {
    const { category, priority } = categoryByWords(prompt);
    text = JSON.stringify({ category, priority, confidence: Number((0.6 + 0.4 * seededDraw(seed, 'confidence', prompt)).toFixed(2)) });
    if (draw < model.refuseRate + model.invalidJsonRate) {
      // Cut off mid-object, as a model that ran out of output tokens answers.
      kind = 'invalid-json';
      text = text.slice(0, Math.max(3, Math.floor(text.length * 0.6)));
    }
  } else if (task === 'summarize') {
    const firstLine = prompt.split('\n').find((line) => line.startsWith('Subject: ')) ?? 'Subject: (none)';
    text = `The customer writes about "${firstLine.slice('Subject: '.length)}" and asks for help.`;
  } else {
    const { category } = categoryByWords(prompt);
    text = `Hello, thank you for writing to us. We have looked into your ${category.toLowerCase()} question and will sort it out today. Kind regards, Support`;
  }
  return { kind, text, tokens: tokensOf(prompt) + tokensOf(text) };
}

/** One call as the token ledger records it. */
export interface LlmCall {
  ticketId: string;
  step: string;
  model: string;
  tokens: number;
  /** The process that made the call (its instance id): a replayed step names an earlier process. */
  instance: string;
}

/** Where every call's tokens are counted (a provider bills a call when it is made, read or not). */
export interface TokenMeter {
  spent(call: LlmCall): Promise<void>;
}

export interface LlmRequest {
  model: StandInModel;
  task: LlmTask;
  prompt: string;
  /** The ticket and step the call is for: how the ledger attributes its tokens. */
  ticketId: string;
  step: string;
}

export interface StandInLlmOptions {
  seed: number;
  /** How long each call takes. */
  latencyMs: number;
  /** How long calls of some tasks take instead. */
  taskLatencyMs?: Partial<Record<LlmTask, number>>;
  meter: TokenMeter;
  /** This process's instance id, noted with each call. */
  instance: string;
}

/** The stand-in as an agent calls it: slow, metered, abortable. */
export class StandInLlm {
  constructor(private readonly options: StandInLlmOptions) {}

  async complete(request: LlmRequest, signal: AbortSignal): Promise<LlmAnswer & { model: string; instance: string }> {
    signal.throwIfAborted();
    const answer = standInAnswer(this.options.seed, request.model, request.task, request.prompt);
    await this.options.meter.spent({ ticketId: request.ticketId, step: request.step, model: request.model.name, tokens: answer.tokens, instance: this.options.instance });
    await delay(this.options.taskLatencyMs?.[request.task] ?? this.options.latencyMs, signal);
    return { text: answer.text, tokens: answer.tokens, model: request.model.name, instance: this.options.instance };
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
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
