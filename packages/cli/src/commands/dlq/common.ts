import type { Admin, Kafka } from 'kafkajs';
import { endpoint } from '../../defaults';
import { kafkaClient } from '../../kafka';
import { parseBrokerList } from '../../options';
import { withKafka } from './topics';

export const BROKERS_HELP = 'Kafka brokers (default: $KAFKA_BROKERS or 127.0.0.1:9092)';

export interface KafkaFlags {
  brokers?: string[];
}

export function brokersOf(flags: KafkaFlags): string[] {
  return flags.brokers ?? parseBrokerList(endpoint('KAFKA_BROKERS'));
}

/** Runs `work` with a connected admin client; Kafka failures become one-line DlqKafkaErrors. */
export async function withAdmin<T>(kafka: Kafka, brokers: readonly string[], work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  try {
    return await withKafka(brokers, 'reach Kafka', async () => {
      await admin.connect();
      return work(admin);
    });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export function dlqKafka(brokers: readonly string[], command: string): Kafka {
  return kafkaClient(brokers, `mesh-dlq-${command}`);
}

/** Commander collector for repeatable options: keeps every value, parsed later into one clear error. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `2025-06-01T12:00:00.000Z`, or `-` for a missing time. */
export function isoOrDash(epochMs: number | null | undefined): string {
  return epochMs !== null && epochMs !== undefined && Number.isFinite(epochMs) && epochMs > 0 ? new Date(epochMs).toISOString() : '-';
}
