import type { Producer, ProducerBatch } from 'kafkajs';
import pino from 'pino';
import { BatchProducer, type OutboundRecord } from './batch-producer';
import { recordBytes, RecordTooLargeError } from './record-size';

/** A stand-in for kafkajs's producer: records each request; a request may be held open or made to fail. */
class FakeProducer {
  static made: FakeProducer[] = [];
  readonly requests: Array<Array<{ topic: string; keys: string[] }>> = [];
  failNext = false;
  hold: Promise<void> | undefined;
  disconnected = false;

  constructor() {
    FakeProducer.made.push(this);
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    this.disconnected = true;
    return Promise.resolve();
  }

  async sendBatch(batch: ProducerBatch): Promise<void> {
    this.requests.push((batch.topicMessages ?? []).map((t) => ({ topic: t.topic, keys: t.messages.map((m) => String(m.key)) })));
    if (this.hold) await this.hold;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('broker gone');
    }
  }
}

const record = (topic: string, key: string, valueBytes = 10): OutboundRecord => ({ topic, key, value: Buffer.alloc(valueBytes) });
const quiet = pino({ level: 'silent' });

function batchProducer(options: ConstructorParameters<typeof BatchProducer>[2] = {}) {
  FakeProducer.made = [];
  const producer = new BatchProducer(() => new FakeProducer() as unknown as Producer, quiet, options);
  return { producer, fake: () => FakeProducer.made[FakeProducer.made.length - 1]! };
}

describe('BatchProducer', () => {
  it('sends what is asked for in one turn as one request, grouped by topic, in order', async () => {
    const { producer, fake } = batchProducer();
    await Promise.all([producer.send([record('a', '1'), record('b', '2')]), producer.send([record('a', '3')])]);
    expect(fake().requests).toEqual([
      [
        { topic: 'a', keys: ['1', '3'] },
        { topic: 'b', keys: ['2'] },
      ],
    ]);
  });

  it('gathers the sends asked for while a request is in flight into the next one', async () => {
    const { producer, fake } = batchProducer();
    let release: () => void = () => undefined;
    fake().hold = new Promise((resolve) => (release = resolve));
    const first = producer.send([record('a', '1')]);
    await new Promise((resolve) => setImmediate(resolve));
    const second = producer.send([record('a', '2')]);
    const third = producer.send([record('a', '3')]);
    fake().hold = undefined;
    release();
    await Promise.all([first, second, third]);
    expect(fake().requests.map((r) => r.flatMap((t) => t.keys))).toEqual([['1'], ['2', '3']]);
  });

  it('keeps requests within the byte limit, a caller still in its own order', async () => {
    const one = recordBytes(record('a', '1', 1000));
    const { producer, fake } = batchProducer({ maxRequestBytes: one * 2 });
    await producer.send(['1', '2', '3', '4', '5'].map((k) => record('a', k, 1000)));
    expect(fake().requests.map((r) => r.flatMap((t) => t.keys))).toEqual([['1', '2'], ['3', '4'], ['5']]);
  });

  it('refuses a record larger than the record limit at once, sending nothing of that call', async () => {
    const { producer, fake } = batchProducer({ maxRecordBytes: 500 });
    await expect(producer.send([record('a', 'small'), record('a', 'big', 1000)])).rejects.toBeInstanceOf(RecordTooLargeError);
    expect(fake().requests).toEqual([]);
  });

  it('rejects the callers of a failed request, and sends the next request through a new producer', async () => {
    const { producer, fake } = batchProducer();
    const failing = fake();
    failing.failNext = true;
    await expect(producer.send([record('a', '1')])).rejects.toThrow('broker gone');
    await producer.send([record('a', '2')]);
    expect(FakeProducer.made).toHaveLength(2);
    expect(failing.disconnected).toBe(true);
    expect(fake().requests.map((r) => r.flatMap((t) => t.keys))).toEqual([['2']]);
  });

  it('starts a new producer after renew(), as after a consumer crash', async () => {
    const { producer } = batchProducer();
    producer.renew();
    await producer.send([record('a', '1')]);
    expect(FakeProducer.made).toHaveLength(2);
  });
});

describe('BatchProducer and ACL refusals', () => {
  /** A broker whose ACLs refuse writes to one topic: every request holding a record of it fails as kafkajs fails it. */
  function refusingBroker(refusedTopic: string) {
    const requests: string[][] = [];
    const make = () =>
      ({
        connect: () => Promise.resolve(),
        disconnect: () => Promise.resolve(),
        sendBatch: async (batch: ProducerBatch) => {
          const topics = (batch.topicMessages ?? []).map((t) => t.topic);
          requests.push(topics);
          await Promise.resolve();
          if (topics.includes(refusedTopic)) {
            const refusal = Object.assign(new Error('Not authorized to access topics: [Topic authorization failed]'), { type: 'TOPIC_AUTHORIZATION_FAILED' });
            throw Object.assign(new Error(refusal.message, { cause: refusal }), { name: 'KafkaJSNonRetriableError' });
          }
        },
      }) as unknown as Producer;
    return { requests, producer: new BatchProducer(make, quiet) };
  }

  it("fails only the caller whose records were refused, sending the others' again on their own", async () => {
    const { requests, producer } = refusingBroker('forbidden');
    const outcomes = await Promise.allSettled([producer.send([record('allowed', '1')]), producer.send([record('forbidden', '2')]), producer.send([record('mesh.heartbeats', '3')])]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // The shared request, then one per caller.
    expect(requests).toEqual([['allowed', 'forbidden', 'mesh.heartbeats'], ['allowed'], ['forbidden'], ['mesh.heartbeats']]);
  });

  it('fails a lone caller at once, without sending again', async () => {
    const { requests, producer } = refusingBroker('forbidden');
    await expect(producer.send([record('allowed', '1'), record('forbidden', '2')])).rejects.toThrow(/Not authorized/);
    expect(requests).toEqual([['allowed', 'forbidden']]);
  });
});
