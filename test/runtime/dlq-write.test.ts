import { defineAgent, PermanentError, startWorker, type RunningWorker } from '@agentmesh/runtime';
import type { RunningBroker } from '@agentmesh/broker';
import { JsonCodec } from '../../packages/runtime/src/codec/json-codec';
import { MemoryIdempotencyStore } from '../../packages/runtime/src/idempotency/memory-store';
import { embeddedBrokerOnly, eventually, kafkaFor, uniqueName } from '../support/kafka';
import { json, quiet } from './support';

// A DLQ write that fails must not lose the event: the offset stays uncommitted, the batch is
// retried, and the dead letter lands once the DLQ can be written again.

let broker: RunningBroker;
let worker: RunningWorker | undefined;
beforeAll(async () => {
  // Without auto-creation, a deleted DLQ topic makes the write fail for real.
  broker = await embeddedBrokerOnly('needs topics not created on first use, a setting Apache Kafka has per cluster', { autoCreateTopics: false });
});
afterAll(async () => {
  await worker?.stop();
  await broker.stop();
});

it('keeps the offset uncommitted while the DLQ cannot be written, then dead-letters the event once', async () => {
  const id = uniqueName('dw');
  const [agentName, input, dlq] = [`dw-${id}`, `in-${id}`, `dw-${id}.dlq`];
  const kafka = kafkaFor(broker);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: input }] });
  let calls = 0;
  worker = await startWorker(
    defineAgent({
      name: agentName,
      consumes: [input],
      produces: [],
      handle: () => {
        calls++;
        throw new PermanentError('always refused');
      },
    }),
    {
      brokers: [broker.address],
      codec: new JsonCodec(),
      idempotency: new MemoryIdempotencyStore(),
      logger: quiet,
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 500,
      heartbeatEveryMs: 0,
      kafka: { retry: { retries: 1, initialRetryTime: 100 } },
    },
  );
  await worker.joined;
  await admin.deleteTopics({ topics: [dlq] });

  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: input, messages: [{ key: 'k', value: json({ n: 1 }) }] });
  await producer.disconnect();

  // The write fails, so the batch is tried again (the handler runs again) and nothing is committed.
  await eventually(() => (calls >= 2 ? true : undefined), 'the batch to be retried after the failed DLQ write', 45_000);
  const [before] = await admin.fetchOffsets({ groupId: agentName, topics: [input] });
  expect(before!.partitions[0]!.offset).toBe('-1');

  await admin.createTopics({ topics: [{ topic: dlq }] });
  await eventually(
    async () => {
      const [after] = await admin.fetchOffsets({ groupId: agentName, topics: [input] });
      return after!.partitions[0]!.offset === '1' ? true : undefined;
    },
    'the offset to be committed once the dead letter is written',
    45_000,
  );
  const [dlqOffsets] = await admin.fetchTopicOffsets(dlq);
  expect(dlqOffsets!.high).toBe('1');
  await admin.disconnect();
});
