import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Tracer } from '@opentelemetry/api';
import { deriveEventId, Header, InvalidInputError, StoreError, type EventCodec } from '@agentmesh/runtime';
import { committableThrough, headersToStrings, traceIdFromTraceparent, type BatchScope } from '@agentmesh/runtime/internal';
import { sagaIdFor } from '../protocol/ids';
import { newSagaState, startDataTopic } from '../saga/create';
import type { SagaState } from '../saga/state';
import type { Saga, SagaTrigger } from '../saga/types';
import type { SagaStore } from '../store/saga-store';
import type { CoordinatorMetrics } from '../observability/metrics';
import { startSagaTrace } from '../observability/saga-spans';
import { homePartitionOf } from './home-partition';
import { retryAfterMs, type IntakeStop } from './intake';
import { mapLimit } from './map-limit';
import type { PartitionOwnership } from './ownership';
import { auditRecords } from './records';
import type { SagaDriver } from './saga-driver';
import type { SagaOutbox } from './saga-outbox';

export interface TriggerIntakeDeps {
  sagasByTrigger: ReadonlyMap<string, readonly Saga[]>;
  store: SagaStore;
  driver: SagaDriver;
  ownership: PartitionOwnership;
  outbox: SagaOutbox;
  codec: EventCodec;
  metrics: CoordinatorMetrics;
  tracer: Tracer;
  logger: Logger;
  clock: () => number;
  replyPartitions: number;
  /** Replies waiting to be applied to sagas already under way (see ReplyIntake). */
  pendingReplies(): number;
  /** New sagas wait in their trigger topic while more replies than this are waiting. */
  replyBacklogLimit: number;
  deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown): Promise<void>;
}

/** Triggers started side by side. */
const START_CONCURRENCY = 64;
/** Triggers per committed chunk: a long batch commits as it goes. */
const TRIGGER_CHUNK = 128;

/** Starts sagas from their trigger topics: any instance may start one; its home partition's owner drives it. */
export class TriggerIntake {
  constructor(private readonly deps: TriggerIntakeDeps) {}

  async handle(scope: BatchScope): Promise<void> {
    const sagas = this.deps.sagasByTrigger.get(scope.topic) ?? [];
    let stop: IntakeStop;
    let storeError: StoreError | undefined;
    for (let from = 0; from < scope.messages.length && stop === undefined; from += TRIGGER_CHUNK) {
      if (!scope.isCurrent()) return;
      // Back-pressure: sagas under way get their replies applied first, so a burst of triggers does not stretch
      // every saga in flight. The triggers wait in Kafka, durably.
      if (this.deps.pendingReplies() > this.deps.replyBacklogLimit) {
        stop = 'saturated';
        break;
      }
      const chunk = scope.messages.slice(from, from + TRIGGER_CHUNK);
      const started = new Set<string>();
      await mapLimit(chunk, START_CONCURRENCY, async (message) => {
        if (stop !== undefined) return;
        try {
          for (const saga of sagas) await this.start(saga, scope.topic, scope.partition, message);
          started.add(message.offset);
        } catch (error) {
          if (!(error instanceof StoreError)) throw error;
          stop = 'store-down';
          storeError ??= error;
        }
      });
      // Up to the first trigger not taken: the others are read again (creating a saga twice is a no-op).
      const through = committableThrough(
        chunk.map((m) => m.offset),
        started,
      );
      if (through !== undefined) await scope.commitThrough(through);
    }
    const waitMs = retryAfterMs(stop);
    if (waitMs === undefined) return;
    if (stop === 'store-down')
      this.deps.logger.warn({ topic: scope.topic, partition: scope.partition, error: storeError?.message }, `saga store unavailable; trigger partition paused for ${waitMs} ms`);
    scope.pauseFor(waitMs);
  }

  private async start(saga: Saga, topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const { store, metrics, logger, ownership, driver, outbox, codec } = this.deps;
    const state = await this.newState(saga, topic, partition, message);
    if (!state) return;
    const json = JSON.stringify(state);
    if (!(await store.create(state, json))) {
      logger.info({ sagaId: state.id, saga: saga.name }, 'trigger seen before: the saga exists');
      return;
    }
    metrics.sagaStarted(saga.name);
    logger.info({ sagaId: state.id, saga: saga.name, traceId: traceIdFromTraceparent(state.traceparent) }, 'saga started');
    // Sent side by side with the first command (the producer keeps their order).
    const announced = outbox.send(await auditRecords(codec, state, state.timeline, json));
    // Its owner's timer would find it within a tick; when that is us, go at once.
    if (ownership.fenceFor(state.homePartition)) await driver.driveCreated(state);
    await announced;
  }

  /**
   * The new saga's state, or undefined when the trigger was dead-lettered: undecodable, or the
   * saga's own hooks failed on it. Rethrown, such a failure would fail the batch again and again
   * and stop every saga behind it on the partition.
   */
  private async newState(saga: Saga, topic: string, partition: number, message: KafkaMessage): Promise<SagaState | undefined> {
    const { codec, clock, tracer } = this.deps;
    const headers = headersToStrings(message.headers);
    const eventId = headers[Header.eventId] ?? deriveEventId(`kafka:${topic}:${partition}:${message.offset}`, 'source', 0);
    let hookFailed = false;
    const hook = <T>(run: () => T): T => {
      try {
        return run();
      } catch (error) {
        hookFailed = true;
        throw error;
      }
    };
    try {
      const value = await codec.decode(topic, message.value);
      const trigger: SagaTrigger = { topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value, headers, eventId };
      const sagaId = hook(() => saga.sagaId?.(trigger)) ?? sagaIdFor(saga.name, eventId);
      const first = startDataTopic(saga);
      const data = await codec.encode(first, saga.start ? hook(() => saga.start!(trigger)) : value);
      const now = clock();
      return newSagaState(saga, {
        id: sagaId,
        homePartition: homePartitionOf(sagaId, this.deps.replyPartitions),
        now,
        trigger: { topic, partition, offset: message.offset, eventId },
        correlationId: headers[Header.correlationId] ?? eventId,
        traceparent: startSagaTrace(tracer, saga.name, sagaId, headers, now),
        data: { topic: first, bytes: data.toString('base64') },
      });
    } catch (error) {
      if (hookFailed || error instanceof InvalidInputError || (error instanceof Error && error.name === 'EncodeError')) {
        await this.deps.deadLetter(topic, partition, message, error);
        return undefined;
      }
      throw error;
    }
  }
}
