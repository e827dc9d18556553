import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { Header, InvalidInputError, StoreError, type EventCodec } from '@agentmesh/runtime';
import { committableThrough, type BatchScope } from '@agentmesh/runtime/internal';
import { parseReply, toReplyInput, type SagaReplyRecord } from '../protocol/messages';
import type { ReplyInput } from '../saga/state';
import { SAGA_REPLIES_TOPIC } from '../protocol/topics';
import type { Saga } from '../saga/types';
import type { CoordinatorMetrics } from '../observability/metrics';
import { homePartitionOf } from './home-partition';
import { messagesBySaga, retryAfterMs, type IntakeStop } from './intake';
import { mapLimit } from './map-limit';
import type { SagaDriver } from './saga-driver';
import type { SagaOutbox } from './saga-outbox';

export interface ReplyIntakeDeps {
  sagasByName: ReadonlyMap<string, Saga>;
  driver: SagaDriver;
  outbox: SagaOutbox;
  codec: EventCodec;
  metrics: CoordinatorMetrics;
  logger: Logger;
  replyPartitions: number;
  /** Dead-letters a reply the coordinator cannot read. */
  deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown): Promise<void>;
  /** This deployment's consumer group: replies to another deployment's commands are left alone. */
  deployment: string;
  /** The partition's replies below `nextOffset` are applied and committed. */
  applied(partition: number, nextOffset: number): void;
}

/** Sagas of one batch driven side by side. */
const DRIVE_CONCURRENCY = 64;

/** Applies the replies of saga.replies batches: in order per saga, sagas side by side. */
export class ReplyIntake {
  /** Per saga.replies partition, the replies behind the last batch fetched. */
  private readonly backlog = new Map<number, number>();

  constructor(private readonly deps: ReplyIntakeDeps) {}

  /** Replies fetched-but-behind across this instance's partitions: work owed to sagas already under way. */
  pendingReplies(): number {
    let total = 0;
    for (const n of this.backlog.values()) total += n;
    return total;
  }

  /** Replies behind, per partition (for heartbeats). */
  backlogByPartition(): ReadonlyMap<string, number> {
    return new Map([...this.backlog].map(([partition, n]) => [`${SAGA_REPLIES_TOPIC}/${partition}`, n]));
  }

  /** Assignments are changing: the partitions' backlogs are no longer this instance's to count. */
  forgetBacklog(): void {
    this.backlog.clear();
  }

  async handle(scope: BatchScope): Promise<void> {
    this.backlog.set(scope.partition, scope.lag + scope.messages.length);
    const handled = new Set<string>();
    let stop: IntakeStop;
    let storeError: StoreError | undefined;
    await mapLimit(messagesBySaga(scope.messages), DRIVE_CONCURRENCY, async (messages) => {
      for (const message of messages) {
        if (stop !== undefined || !scope.isCurrent()) return;
        try {
          if (!(await this.handleOne(scope.partition, message))) {
            stop ??= 'not-owner';
            return;
          }
        } catch (error) {
          // Without the saga store nothing can be decided: stop here, read these replies again later.
          if (!(error instanceof StoreError)) throw error;
          stop = 'store-down';
          storeError ??= error;
          return;
        }
        handled.add(message.offset);
      }
    });
    const through = committableThrough(
      scope.messages.map((m) => m.offset),
      handled,
    );
    if (through !== undefined) {
      await scope.commitThrough(through);
      this.deps.applied(scope.partition, Number(through) + 1);
    }
    this.backlog.set(scope.partition, scope.lag + scope.messages.length - handled.size);
    const waitMs = retryAfterMs(stop);
    if (waitMs === undefined) return;
    if (storeError) this.deps.logger.warn({ partition: scope.partition, error: storeError.message }, `saga store unavailable; ${SAGA_REPLIES_TOPIC} partition paused for ${waitMs} ms`);
    // Not ours to act on now (a rebalance under way, or fenced): wait for the group instead of fetching in a loop.
    scope.pauseFor(waitMs);
  }

  /** Handles one reply; false when this instance may no longer act on the partition (stop the batch there). */
  private async handleOne(partition: number, message: KafkaMessage): Promise<boolean> {
    const { codec, metrics, logger, driver } = this.deps;
    const coordinator = headerText(message, Header.sagaCoordinator);
    if (coordinator !== undefined && coordinator !== this.deps.deployment) {
      // Another coordinator deployment shares saga.replies: its replies are its own (and may be in a codec of its own).
      metrics.reply('other-deployment');
      return true;
    }
    let reply: SagaReplyRecord;
    try {
      reply = parseReply(await codec.decode(SAGA_REPLIES_TOPIC, message.value));
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      metrics.reply('invalid');
      await this.deps.deadLetter(SAGA_REPLIES_TOPIC, partition, message, error);
      return true;
    }
    const home = homePartitionOf(reply.sagaId, this.deps.replyPartitions);
    if (home !== partition) {
      // Keyed by something else, or by a partitioner of its own: send it where the saga's owner reads.
      logger.warn({ sagaId: reply.sagaId, partition, home }, 'reply on the wrong partition; forwarding it to the saga home partition');
      await this.deps.outbox.sendNow([{ topic: SAGA_REPLIES_TOPIC, key: reply.sagaId, partition: home, value: message.value, headers: message.headers }]);
      return true;
    }
    const outcome = await driver.drive(reply.sagaId, { ...toReplyInput(this.deps.sagasByName.get(reply.sagaType), reply), ...replyOrigin(message) });
    if (outcome === 'unknown-saga') {
      metrics.reply('unknown-saga');
      logger.info({ sagaId: reply.sagaId, step: reply.step }, 'reply for a saga we do not know (purged, or another deployment); ignored');
    }
    return outcome !== 'fenced' && outcome !== 'not-owner';
  }
}

/**
 * Where a reply record came from: its event id (a participant that handles a command twice sends the same one)
 * and when it reached Kafka (saga.replies is created with LogAppendTime, so the broker's clock).
 */
export function replyOrigin(message: Pick<KafkaMessage, 'headers' | 'timestamp'>): Pick<ReplyInput, 'eventId' | 'repliedAt'> {
  const eventId = headerText(message, Header.eventId);
  const at = Number(message.timestamp);
  return { ...(eventId ? { eventId } : {}), ...(Number.isFinite(at) && at > 0 ? { repliedAt: at } : {}) };
}

function headerText(message: Pick<KafkaMessage, 'headers'>, name: string): string | undefined {
  const raw = message.headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined ? undefined : first.toString();
}
