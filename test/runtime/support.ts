import pino from 'pino';
import type { Kafka } from 'kafkajs';
import { startWorker, type Agent, type EventCodec, type IdempotencyStore, type RunningWorker, type WorkerOptions } from '@agentmesh/runtime';
import { JsonCodec } from '../../packages/runtime/src/codec/json-codec';
import { openIdempotencyStore } from '../../packages/runtime/src/idempotency/open';
import { kafkaFor, testKafka, type TestKafka } from '../support/kafka';
import { TEST_REDIS_URL } from '../support/redis';

export const quiet = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A broker, a Kafka client, the real Redis store, and workers that are stopped after the test. */
export interface RuntimeHarness {
  broker: TestKafka;
  kafka: Kafka;
  store: IdempotencyStore;
  codec: EventCodec;
  start(agent: Agent, options?: Partial<WorkerOptions>): Promise<RunningWorker>;
  /** Consumes `topics` from the beginning; stopped by close(), even when a test fails. */
  watch(topics: string[]): Promise<Watcher>;
  close(): Promise<void>;
}

export async function runtimeHarness(codec: EventCodec = new JsonCodec()): Promise<RuntimeHarness> {
  const broker = await testKafka({ partitions: 3 });
  const kafka = kafkaFor(broker);
  const store = openIdempotencyStore({ redisUrl: TEST_REDIS_URL, logger: quiet });
  const workers: RunningWorker[] = [];
  const watchers: Watcher[] = [];
  return {
    broker,
    kafka,
    store,
    codec,
    async start(agent, options = {}) {
      const w = await startWorker(agent, { brokers: broker.brokers, codec, idempotency: store, logger: quiet, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, ...options });
      workers.push(w);
      await w.joined;
      return w;
    },
    async watch(topics) {
      const w = await watch(kafka, topics);
      watchers.push(w);
      return w;
    },
    async close() {
      await Promise.allSettled(watchers.map((w) => w.stop()));
      await Promise.allSettled(workers.map((w) => w.stop()));
      await store.close();
      await broker.stop();
    },
  };
}

export interface Seen {
  topic: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface Watcher {
  readonly seen: Seen[];
  until(predicate: (seen: Seen[]) => boolean, what: string, timeoutMs?: number): Promise<Seen[]>;
  stop(): Promise<void>;
}

/** Consumes `topics` from the beginning into a list the test can wait on. */
async function watch(kafka: Kafka, topics: string[]): Promise<Watcher> {
  const seen: Seen[] = [];
  let stopped = false;
  const waiters: Array<() => void> = [];
  const consumer = kafka.consumer({ groupId: `watch-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      seen.push({ topic, key: message.key?.toString() ?? null, value: message.value, headers });
      for (const w of waiters.splice(0)) w();
    },
  });
  return {
    seen,
    /** Resolves when `predicate` holds over what was seen; fails after `timeoutMs` with what was seen. */
    async until(predicate: (seen: Seen[]) => boolean, what: string, timeoutMs = 30_000): Promise<Seen[]> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(seen)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${what}; seen: ${seen.map((s) => `${s.topic}:${s.key}`).join(', ')}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return seen;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await consumer.disconnect();
    },
  };
}

export const json = (v: unknown) => Buffer.from(JSON.stringify(v));
export const valueOf = <T>(s: Seen): T => JSON.parse(s.value!.toString()) as T;
