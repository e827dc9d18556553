import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { EventCodec } from '../codec/codec';
import type { BatchProducer } from '../kafka/batch-producer';
import { answerTo, CONTROL_TOPIC, CONTROL_TOPIC_SPEC, decideCommand, type ControlRecord } from './command';
import { ChaosCounter, type ChaosFaults } from './faults';

export interface ChaosControlOptions {
  agent: string;
  instanceId: string;
  /** Obey commands; false: refuse each one meant for this process, and log it. */
  enabled: boolean;
  kafka: Kafka;
  /** The real codec (not one under a simulated registry outage): commands must get through. */
  codec: EventCodec;
  producer: BatchProducer;
  logger: Logger;
  clock: () => number;
  faults: ChaosFaults;
  /** Stops consuming for `ms` (the worker's SupervisedConsumer.pauseAll). */
  pause(reason: string, ms: number): void;
  /** Ends the process at once; default SIGKILL to itself, so a supervisor sees a crash. */
  crash?(): void;
}

/** How long a crash waits for its ACCEPTED answer to go out before the process kills itself. */
const CRASH_ANSWER_WAIT_MS = 2_000;

/**
 * One process's listener on mesh.control: its own consumer group (one per process, committing nothing),
 * reading from the start and skipping commands sent before it started. It decides each record with
 * decideCommand, acts, and answers ACCEPTED or REFUSED, then ENDED with what the fault did.
 */
export class ChaosControl {
  private consumer: Consumer | undefined;
  private stopped = false;
  private readonly startedAt: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Map<string, ControlRecord>();
  private warnedUndecodable = false;

  constructor(private readonly options: ChaosControlOptions) {
    this.startedAt = options.clock();
  }

  /** Resolves once the listener runs (consuming starts in the background); a stop meanwhile ends it. */
  async start(): Promise<void> {
    const { kafka, agent, instanceId } = this.options;
    const admin = kafka.admin();
    await admin.connect();
    try {
      // The broker may have made it already.
      await admin.createTopics({ topics: [CONTROL_TOPIC_SPEC] });
    } finally {
      await admin.disconnect();
    }
    if (this.stopped) return;
    const consumer = kafka.consumer({ groupId: `mesh-chaos.${agent}.${instanceId}`, allowAutoTopicCreation: false });
    this.consumer = consumer;
    await consumer.connect();
    if (this.stopped) {
      await consumer.disconnect();
      return;
    }
    await consumer.subscribe({ topic: CONTROL_TOPIC, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachMessage: async ({ message }) => this.onRecord(message.value) });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.consumer?.disconnect();
  }

  /** Faults begun by this process that have not ended yet. */
  get activeCommands(): number {
    return this.running.size;
  }

  private async onRecord(value: Buffer | null): Promise<void> {
    const { codec, logger } = this.options;
    let record: ControlRecord;
    try {
      record = (await codec.decode(CONTROL_TOPIC, value)) as ControlRecord;
    } catch (error) {
      if (!this.warnedUndecodable) logger.warn({ error: (error as Error).message }, 'chaos: skipping an undecodable mesh.control record');
      this.warnedUndecodable = true;
      return;
    }
    await this.act(record);
  }

  private async act(command: ControlRecord): Promise<void> {
    const { agent, instanceId, enabled, clock, logger, faults } = this.options;
    const decision = decideCommand(command, { agent, instanceId, enabled, startedAt: this.startedAt }, clock());
    const log = { commandId: command.commandId, fault: command.fault, target: command.target, durationMs: command.durationMs };
    switch (decision.action) {
      case 'ignore':
        return;
      case 'refuse':
        logger.warn({ ...log, reason: decision.reason }, `chaos command refused: ${decision.reason}`);
        return this.answer(command, 'REFUSED', { reason: decision.reason });
      case 'crash':
        logger.error(log, 'chaos: crashing this process (SIGKILL)');
        await Promise.race([this.answer(command, 'ACCEPTED'), new Promise((resolve) => setTimeout(resolve, CRASH_ANSWER_WAIT_MS))]);
        (this.options.crash ?? (() => process.kill(process.pid, 'SIGKILL')))();
        return;
      case 'ping':
        return this.answer(command, 'ACCEPTED');
      case 'clear':
        logger.warn(log, 'chaos: every fault cleared');
        await this.answer(command, 'ACCEPTED');
        for (const id of [...this.running.keys()]) await this.finish(id);
        return;
      case 'begin': {
        const { fault } = decision;
        logger.warn(log, 'chaos fault begun');
        faults.begin(fault);
        this.running.set(fault.commandId, command);
        const ms = fault.endsAt - clock();
        if (fault.fault === 'STOP') {
          this.options.pause(`chaos: stopped by command ${fault.commandId}`, ms);
          faults.note(fault.commandId, ChaosCounter.pausedMs, ms);
        }
        await this.answer(command, 'ACCEPTED');
        // A call delayed just before the end fails (or not) up to delayMs later: what it causes still counts.
        const timer = setTimeout(
          () => {
            this.timers.delete(timer);
            void this.finish(fault.commandId);
          },
          ms + (fault.fault === 'DELAY' ? fault.delayMs : 0),
        );
        timer.unref();
        this.timers.add(timer);
        return;
      }
    }
  }

  private async finish(commandId: string): Promise<void> {
    const command = this.running.get(commandId);
    if (!command) return;
    this.running.delete(commandId);
    const counters = this.options.faults.end(commandId);
    this.options.logger.warn({ commandId, fault: command.fault, counters }, 'chaos fault ended');
    await this.answer(command, 'ENDED', { counters });
  }

  private async answer(command: ControlRecord, kind: 'ACCEPTED' | 'REFUSED' | 'ENDED', extra: { reason?: string; counters?: Record<string, number> } = {}): Promise<void> {
    const { codec, producer, agent, instanceId, clock, logger } = this.options;
    try {
      const value = await codec.encode(CONTROL_TOPIC, answerTo(command, kind, { agent, instanceId }, clock(), extra));
      await producer.send([{ topic: CONTROL_TOPIC, key: command.commandId, value }]);
    } catch (error) {
      // The fault itself goes on; only the operator's view of it is short.
      logger.warn({ commandId: command.commandId, kind, error: (error as Error).message }, 'chaos: cannot publish the answer on mesh.control');
    }
  }
}
