import { Kafka, logLevel, type KafkaConfig, type Producer } from 'kafkajs';

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  /** Passed to kafkajs over the mesh's defaults (ssl, sasl, retry, ...). */
  kafka?: Partial<KafkaConfig>;
}

/**
 * The Kafka client of a mesh process: kafkajs (with our hot paths, which the kafkajs patch puts in
 * place as kafkajs loads: packages/kafkajs-paths), its own logging off (the mesh logs what it decides).
 */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  return new Kafka({ clientId: options.clientId, brokers: options.brokers, logLevel: logLevel.NOTHING, ...options.kafka });
}

/** Idempotent, one request in flight: a retried request is written once, and records keep their order per partition. */
export function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
}
