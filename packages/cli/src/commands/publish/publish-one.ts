import { Partitioners } from 'kafkajs';
import { kafkaClient, kafkaErrorMessage } from '../../kafka';

/** Kafka could not take the record (unreachable, refused, too slow). */
export class PublishError extends Error {
  override readonly name = 'PublishError';
}

/** Rejects with `onTimeout()` if `work` has not settled within `ms`. */
export async function within<T>(ms: number, work: Promise<T>, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Published {
  partition: number;
  offset: string;
}

/** Produces one record and says where it landed. */
export async function produceOne(brokers: string[], topic: string, key: string | null, value: Buffer, headers: Record<string, string>): Promise<Published> {
  const producer = kafkaClient(brokers, 'mesh-publish').producer({
    idempotent: true, // a retried send cannot write the event twice
    maxInFlightRequests: 1,
    retry: { retries: 2 }, // bounded, unlike kafkajs's idempotent default of "forever"
    createPartitioner: Partitioners.DefaultPartitioner, // murmur2, the partition Java clients pick for a key
  });
  try {
    await producer.connect();
    const [metadata] = await producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
    if (metadata === undefined || metadata.baseOffset === undefined) throw new PublishError(`Kafka acknowledged the send to ${topic} without an offset`);
    return { partition: metadata.partition, offset: metadata.baseOffset };
  } catch (error) {
    if (error instanceof PublishError) throw error;
    throw new PublishError(`could not publish to ${topic} on ${brokers.join(',')}: ${kafkaErrorMessage(error)}`, { cause: error });
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}
