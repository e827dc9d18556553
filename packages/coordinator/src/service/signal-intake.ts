import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { deriveEventId, Header, InvalidInputError, StoreError, type EventCodec } from '@agentmesh/runtime';
import { committableThrough, type BatchScope } from '@agentmesh/runtime/internal';
import { parseSignalRecord, toSagaSignal } from '../protocol/signals';
import { SAGA_SIGNALS_TOPIC } from '../protocol/topics';
import type { SagaSignal } from '../saga/state';
import type { SagaStore } from '../store/saga-store';
import type { CoordinatorMetrics } from '../observability/metrics';
import { retryAfterMs, type IntakeStop } from './intake';

export interface SignalIntakeDeps {
  store: SagaStore;
  codec: EventCodec;
  metrics: CoordinatorMetrics;
  logger: Logger;
  clock: () => number;
  deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown): Promise<void>;
}

/**
 * Reads saga.signals (any instance) and hands each signal to its saga's owner through the saga store; the
 * owner applies it or ignores it on its next look, as it does an operator's resume request. Signals are
 * recorded in partition order; one the store cannot take yet is read again.
 */
export class SignalIntake {
  constructor(private readonly deps: SignalIntakeDeps) {}

  async handle(scope: BatchScope): Promise<void> {
    const handled = new Set<string>();
    let stop: IntakeStop;
    for (const message of scope.messages) {
      if (!scope.isCurrent()) return;
      try {
        if (!(await this.handleOne(scope.partition, message))) {
          stop = 'not-owner'; // the saga kept changing under the write: read it again shortly
          break;
        }
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        stop = 'store-down';
        this.deps.logger.warn({ partition: scope.partition, error: error.message }, `saga store unavailable; ${SAGA_SIGNALS_TOPIC} partition paused`);
        break;
      }
      handled.add(message.offset);
    }
    const through = committableThrough(
      scope.messages.map((m) => m.offset),
      handled,
    );
    if (through !== undefined) await scope.commitThrough(through);
    const waitMs = retryAfterMs(stop);
    if (waitMs !== undefined) scope.pauseFor(waitMs);
  }

  /** false: not recorded yet, read it again. */
  private async handleOne(partition: number, message: KafkaMessage): Promise<boolean> {
    const { codec, store, logger, clock, metrics } = this.deps;
    let signal: SagaSignal;
    let sagaId: string;
    try {
      const record = parseSignalRecord(await codec.decode(SAGA_SIGNALS_TOPIC, message.value));
      sagaId = record.sagaId;
      // A signal sent without an id is named by where it sits in Kafka, so reading it again is still one signal.
      const id = headerText(message, Header.eventId) || deriveEventId(`${SAGA_SIGNALS_TOPIC}:${partition}`, 'offset', Number(message.offset));
      const at = Number(message.timestamp);
      signal = toSagaSignal(record, id, Number.isFinite(at) && at > 0 ? at : clock());
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      metrics.signal('invalid');
      await this.deps.deadLetter(SAGA_SIGNALS_TOPIC, partition, message, error);
      return true;
    }
    const outcome = await store.recordSignal(sagaId, signal, clock());
    const fields = { sagaId, step: signal.step, decision: signal.decision, signalId: signal.id };
    if (outcome === 'recorded') logger.info(fields, 'signal recorded for the saga');
    if (outcome === 'recorded' || outcome === 'busy') return outcome === 'recorded';
    metrics.signal(outcome);
    logger.info({ ...fields, outcome }, `signal not recorded: ${SIGNAL_NOT_RECORDED[outcome]}`);
    return true;
  }
}

function headerText(message: Pick<KafkaMessage, 'headers'>, name: string): string | undefined {
  const raw = message.headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined ? undefined : first.toString();
}

const SIGNAL_NOT_RECORDED = {
  'unknown-saga': 'no saga with that id (purged, or never started)',
  duplicate: 'seen before',
  'not-active': 'the saga has finished or waits for an operator',
  'too-many': 'the saga holds too many signals not yet looked at',
} as const;
