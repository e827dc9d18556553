import type { Producer, TopicMessages } from 'kafkajs';

interface Waiting {
  batch: TopicMessages[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for produce: sends asked for while a produce is in flight go
 * out together in the next one. The idempotent producer keeps one request in
 * flight, so sagas driven side by side would otherwise queue one round trip
 * each. Order holds per caller: a caller's next send starts after its last resolved.
 */
export class CoalescingSender {
  private waiting: Waiting[] = [];
  private flushing = false;

  constructor(private readonly producer: Producer) {}

  send(batch: TopicMessages[]): Promise<void> {
    if (batch.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ batch, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        // Let the callers that are mid-way through their own work this turn join the batch.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const taken = this.waiting;
        this.waiting = [];
        const byTopic = new Map<string, TopicMessages['messages']>();
        for (const { batch } of taken) {
          for (const { topic, messages } of batch) byTopic.set(topic, [...(byTopic.get(topic) ?? []), ...messages]);
        }
        try {
          await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
          for (const w of taken) w.resolve();
        } catch (error) {
          for (const w of taken) w.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
