import { createLogger } from '@agentmesh/runtime';
import { createRedisConnection, RedisSession } from '@agentmesh/runtime/internal';
import type { LlmCall, TokenMeter } from './stand-in-llm';

/** A step whose answer came from the step journal instead of the model. */
export interface ReplayedStep {
  ticketId: string;
  step: string;
  tokens: number;
}

export interface TriageLedgerContents {
  calls: LlmCall[];
  replayed: ReplayedStep[];
  /** Replies sent to customers, by ticket id: the message id. */
  sent: Map<string, string>;
}

const DAY_MS = 24 * 60 * 60_000;

/**
 * The pipeline's ledger, in Redis so the demo reads it from another process: every model call as it was made
 * (ticket, step, model, tokens, which process), every step a handler got back from the step journal instead of
 * calling the model again, and the replies the support desk sent (the mail system takes a ticket once).
 */
export class TriageLedger implements TokenMeter {
  private session: RedisSession | undefined;

  constructor(
    private readonly redisUrl: string,
    /** Every key of the ledger starts with it: one run's calls apart from another's. */
    readonly keyPrefix: string,
  ) {}

  private redis(): RedisSession {
    this.session ??= new RedisSession(createRedisConnection(this.redisUrl, 'state', createLogger({ name: 'triage-ledger', level: 'warn' })), 'state', true);
    return this.session;
  }

  async spent(call: LlmCall): Promise<void> {
    const session = this.redis();
    const key = `${this.keyPrefix}calls`;
    await session.call('note a model call', () => session.redis.multi().rpush(key, JSON.stringify(call)).pexpire(key, DAY_MS).exec());
  }

  /** A step's result came from the journal: noted once per ticket and step, however often the handler runs again. */
  async replayed(step: ReplayedStep): Promise<void> {
    const session = this.redis();
    const key = `${this.keyPrefix}replayed`;
    await session.call('note a replayed step', () => session.redis.multi().hsetnx(key, `${step.ticketId}/${step.step}`, String(step.tokens)).pexpire(key, DAY_MS).exec());
  }

  /** The mail system sends a ticket's reply once: false when it was sent before (a repeated command). */
  async replySent(ticketId: string, messageId: string): Promise<boolean> {
    const session = this.redis();
    const key = `${this.keyPrefix}sent`;
    const [[error, taken] = [null, 0]] = (await session.call('note a sent reply', () => session.redis.multi().hsetnx(key, ticketId, messageId).pexpire(key, DAY_MS).exec())) ?? [];
    if (error) throw error;
    return taken === 1;
  }

  async read(): Promise<TriageLedgerContents> {
    const session = this.redis();
    const [calls, replayed, sent] = await session.call('read the ledger', () =>
      Promise.all([session.redis.lrange(`${this.keyPrefix}calls`, 0, -1), session.redis.hgetall(`${this.keyPrefix}replayed`), session.redis.hgetall(`${this.keyPrefix}sent`)]),
    );
    return {
      sent: new Map(Object.entries(sent)),
      calls: calls.map((text) => JSON.parse(text) as LlmCall),
      replayed: Object.entries(replayed).map(([field, tokens]) => {
        const slash = field.lastIndexOf('/');
        return { ticketId: field.slice(0, slash), step: field.slice(slash + 1), tokens: Number(tokens) };
      }),
    };
  }

  async forget(): Promise<void> {
    const session = this.redis();
    await session.call('forget the token ledger', () => session.redis.del(`${this.keyPrefix}calls`, `${this.keyPrefix}replayed`, `${this.keyPrefix}sent`));
  }

  async close(): Promise<void> {
    await this.session?.close();
  }
}
