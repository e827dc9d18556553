import type { Logger } from 'pino';
import type { OutboundRecord } from '@agentmesh/runtime/internal';
import type { EventCodec } from '@agentmesh/runtime';
import { commandEventId } from '../protocol/ids';
import type { CommandEffect, SagaInput, SagaState, StuckEffect, TransitionResult } from '../saga/state';
import { transition } from '../saga/transition';
import type { Saga } from '../saga/types';
import type { SagaStore } from '../store/saga-store';
import type { CoordinatorMetrics } from '../observability/metrics';
import type { SagaSpans } from '../observability/saga-spans';
import { KeyedLock } from './keyed-lock';
import type { PartitionOwnership } from './ownership';
import type { SagaOutbox } from './saga-outbox';
import { auditRecords, commandRecord, stuckRecord } from './records';

/**
 * The command a saga's previous owner may not have sent: the one awaited, or the notification of the wait it
 * is at (same attempt, so the same event id).
 */
function awaitedCommand(saga: Saga, state: SagaState): CommandEffect | undefined {
  const f = state.inFlight;
  if (f) {
    const step = saga.steps[f.step]!;
    const topic = f.kind === 'execute' ? step.command : step.compensation;
    return topic ? { type: 'command', step: f.step, kind: f.kind, topic, attempt: f.attempt, eventId: f.eventId, deadlineAt: f.deadlineAt } : undefined;
  }
  const w = state.status === 'waiting' ? state.waiting : undefined;
  const step = w ? saga.steps[w.step] : undefined;
  const attempt = w ? (state.steps[w.step]?.attempts ?? 0) : 0;
  if (!w || !step?.command || attempt < 1) return undefined;
  return { type: 'command', step: w.step, kind: 'execute', topic: step.command, attempt, eventId: commandEventId(state.id, step.name, 'execute', attempt), deadlineAt: w.deadlineAt };
}

/** What became of one drive of a saga. */
export type DriveOutcome = 'applied' | 'unchanged' | 'unknown-saga' | 'not-owner' | 'fenced';

export interface SagaDriverDeps {
  sagasByName: ReadonlyMap<string, Saga>;
  store: SagaStore;
  ownership: PartitionOwnership;
  outbox: SagaOutbox;
  codec: EventCodec;
  metrics: CoordinatorMetrics;
  spans: SagaSpans;
  logger: Logger;
  clock: () => number;
  random: () => number;
  /** This deployment's consumer group: commands carry it, and replies echo it. */
  deployment: string;
}

/** A saga that keeps changing under us (operator resumes racing our writes) is left to its next timer after this many tries. */
const MAX_WRITE_ROUNDS = 5;
const MAX_CACHED_STATES = 100_000;

/**
 * Drives sagas one input at a time: load, decide (the pure transition), write fenced by the
 * partition's epoch, then send what the transition asked for. One drive at a time per saga in
 * this process.
 */
export class SagaDriver {
  private readonly locks = new KeyedLock();
  /** States of running sagas this instance wrote last; cleared whenever ownership changes. */
  private readonly stateCache = new Map<string, SagaState>();
  private readonly warnedUnknownType = new Set<string>();

  constructor(private readonly deps: SagaDriverDeps) {}

  /** Ownership changed (a rebalance, a crash): what this instance wrote last may be stale. */
  forgetStates(): void {
    this.stateCache.clear();
  }

  drive(sagaId: string, input: SagaInput): Promise<DriveOutcome> {
    return this.locks.run(sagaId, () => this.driveNow(sagaId, input));
  }

  /**
   * The first drive of a saga this instance has just created: from the state it wrote, not read back.
   * Nobody else can have changed a saga this young (only stuck sagas are resumed); were it so, the
   * write's version check would catch it and the saga would be read again.
   */
  driveCreated(state: SagaState): Promise<DriveOutcome> {
    return this.locks.run(state.id, () => this.driveNow(state.id, { type: 'tick' }, state));
  }

  /**
   * A partition just taken over: its in-flight commands may never have been sent by the old owner.
   * Same ids, so sent once in effect. Runs before this instance acts on the partition: run alongside,
   * it could find (and send again) a command this instance had just sent itself.
   */
  async resendInFlight(partition: number): Promise<void> {
    const { store, sagasByName, spans, codec, clock } = this.deps;
    const ids = await store.scheduled(partition);
    const states = await store.loadMany(ids);
    const records: OutboundRecord[] = [];
    for (const state of states) {
      const saga = state ? sagasByName.get(state.type) : undefined;
      if (!state || !saga) continue;
      const effect = awaitedCommand(saga, state);
      if (!effect) continue;
      const step = saga.steps[effect.step]!;
      const now = clock();
      const traceparent = spans.commandSent(state, step.name, effect.kind, effect.attempt, effect.eventId, now);
      // A wait's notification expects no reply: its span ends as it is sent.
      if (!state.inFlight) spans.commandEnded(state, step.name, effect.kind, effect.attempt, effect.eventId, now, 'succeeded', now);
      records.push(await commandRecord(codec, saga, state, effect, traceparent, this.deps.deployment));
    }
    await this.deps.outbox.send(records);
    this.deps.logger.info({ partition, sagas: ids.length, resent: records.length }, 'took over partition');
  }

  private async driveNow(sagaId: string, input: SagaInput, known?: SagaState): Promise<DriveOutcome> {
    const { store, ownership, sagasByName, logger, metrics } = this.deps;
    await ownership.settled();
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      // Replies use the state this instance last wrote (a stale copy fails the write's version check and is
      // read again); timers always read Redis, where an operator's resume request lands.
      const cached = round > 0 ? undefined : input.type === 'reply' ? this.stateCache.get(sagaId) : known;
      const state = cached ?? (await store.load(sagaId));
      if (!state) return 'unknown-saga';
      const fence = ownership.fenceFor(state.homePartition);
      if (!fence) {
        this.stateCache.delete(sagaId);
        return 'not-owner';
      }
      const saga = sagasByName.get(state.type);
      if (!saga) {
        this.warnUnknownType(sagaId, state.type);
        return 'unknown-saga';
      }
      const result = transition(saga, state, input, { now: this.deps.clock(), random: this.deps.random() });
      if (!result.changed) return 'unchanged';
      const next = result.state;
      next.version = state.version + 1;
      const json = JSON.stringify(next);
      const saved = await store.save(state, next, fence, json);
      if (saved !== 'ok') this.stateCache.delete(sagaId);
      if (saved === 'conflict') continue; // an operator's resume request (or a stale copy) met our write
      if (saved === 'missing') return 'unknown-saga';
      if (saved === 'fenced') {
        logger.warn({ partition: fence.partition, sagaId }, 'fenced: another instance owns the partition now; stopping work on it');
        ownership.lost(fence);
        this.stateCache.clear();
        return 'fenced';
      }
      this.remember(next);
      await this.perform(saga, next, result, json);
      if (input.type === 'reply' && !result.effects.some((e) => e.type === 'reply-ignored')) metrics.reply('applied');
      return 'applied';
    }
    logger.warn({ sagaId }, 'saga kept changing under us; will look again on its next timer');
    return 'unchanged';
  }

  private remember(state: SagaState): void {
    if (state.status === 'running' || state.status === 'compensating') this.stateCache.set(state.id, state);
    else this.stateCache.delete(state.id);
    if (this.stateCache.size > MAX_CACHED_STATES) this.stateCache.clear();
  }

  /** Its timer stays due for an instance that runs the type; say so once, not every tick. */
  private warnUnknownType(sagaId: string, type: string): void {
    if (this.warnedUnknownType.has(sagaId)) return;
    this.warnedUnknownType.add(sagaId);
    this.deps.logger.warn({ sagaId, saga: type }, 'saga of a type this instance does not run; left alone');
  }

  /** Sends what a transition asked for, after its state was written. */
  private async perform(saga: Saga, state: SagaState, result: TransitionResult, stateJson: string): Promise<void> {
    const { metrics, spans, logger, codec } = this.deps;
    const now = this.deps.clock();
    const commands: { effect: CommandEffect; traceparent: string | undefined }[] = [];
    const stuck: StuckEffect[] = [];
    for (const effect of result.effects) {
      switch (effect.type) {
        case 'command': {
          const step = saga.steps[effect.step]!;
          commands.push({ effect, traceparent: spans.commandSent(state, step.name, effect.kind, effect.attempt, effect.eventId, now) });
          metrics.commandSent(saga.name, effect.kind);
          break;
        }
        case 'command-ended': {
          const step = saga.steps[effect.step]!;
          const eventId = commandEventId(state.id, step.name, effect.kind, effect.attempt);
          spans.commandEnded(state, step.name, effect.kind, effect.attempt, eventId, effect.sentAt, effect.outcome, now);
          if (effect.outcome === 'timed_out') metrics.commandTimedOut(saga.name, effect.kind);
          break;
        }
        case 'finished':
          metrics.sagaFinished(saga.name, effect.outcome, effect.durationMs / 1000);
          spans.sagaEnded(state, effect.outcome, now);
          logger.info({ sagaId: state.id, saga: saga.name, outcome: effect.outcome, durationMs: effect.durationMs }, `saga ${effect.outcome}`);
          break;
        case 'stuck':
          metrics.sagaStuck(saga.name, effect.status);
          spans.sagaEnded(state, effect.status, now);
          logger.warn({ sagaId: state.id, saga: saga.name, status: effect.status, reason: effect.reason }, 'saga stuck: waiting for an operator (mesh saga resume)');
          stuck.push(effect);
          break;
        case 'signal':
          metrics.signal(effect.outcome);
          logger.info({ sagaId: state.id, saga: saga.name, step: effect.step, outcome: effect.outcome }, effect.outcome === 'applied' ? 'signal applied' : 'signal ignored');
          break;
        case 'reply-ignored':
          metrics.reply(effect.why);
          logger.info({ sagaId: state.id, saga: saga.name, why: effect.why }, 'reply ignored');
          break;
      }
    }
    // Building the records can fail (a schema registry that cannot be reached): the state is written already,
    // so they are built and sent again in the background rather than lost until the command's deadline.
    await this.deps.outbox.deliver(
      async () => {
        const records: OutboundRecord[] = [];
        for (const { effect, traceparent } of commands) records.push(await commandRecord(codec, saga, state, effect, traceparent, this.deps.deployment));
        if (result.events.length > 0) records.push(...(await auditRecords(codec, state, result.events, stateJson)));
        for (const effect of stuck) records.push(await stuckRecord(codec, saga, state, effect, now));
        await this.deps.outbox.send(records);
      },
      { sagaId: state.id },
    );
  }
}
