import { startBroker, type BrokerOptions, type RunningBroker } from '@agentmesh/broker';
import { loadContracts, registerContracts, startSchemaRegistry, type RunningSchemaRegistry } from '@agentmesh/schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { INVOICE_TOPICS } from '../invoice/documents';

export interface LocalStackOptions {
  /** 0 (default) picks a free port. */
  brokerPort?: number;
  registryPort?: number;
  /** Broker data directory; in memory when absent. */
  dataDir?: string;
  /** Partitions of the invoice topics. Default 3, so agents work partitions concurrently. */
  partitions?: number;
  /** Where the broker logs; default warnings and worse on stdout. */
  brokerLogger?: BrokerOptions['logger'];
}

export interface LocalStack {
  /** The broker now: restartBroker replaces it. */
  readonly broker: RunningBroker;
  registry: RunningSchemaRegistry;
  /** Bootstrap list for clients: `[broker.address]`. */
  brokers: string[];
  /** Stops the broker (a chaos fault); startBroker brings it back. */
  stopBroker(): Promise<void>;
  /** Starts the broker again on the same port with the same data (a data dir keeps the records). */
  startBroker(): Promise<void>;
  stop(): Promise<void>;
}

/** A kafkajs client that keeps quiet (the demo prints a table, not client chatter). */
export function quietKafka(brokers: string[], clientId: string): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
}

/** Creates the invoice topics up front, so every agent sees the same partition count. */
export async function createInvoiceTopics(kafka: Kafka, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = INVOICE_TOPICS.filter((t) => !existing.has(t));
    if (missing.length > 0) await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: partitions })) });
  } finally {
    await admin.disconnect();
  }
}

/** The embedded broker and registry in this process, the contracts registered and the invoice topics created. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const brokerOptions = (port: number) => ({ port, dataDir: options.dataDir, logLevel: 'warn' as const, logger: options.brokerLogger });
  let broker = await startBroker(brokerOptions(options.brokerPort ?? 0));
  let registry: RunningSchemaRegistry | undefined;
  try {
    registry = await startSchemaRegistry({ port: options.registryPort ?? 0, brokers: [broker.address] });
    await registerContracts(registry.url, loadContracts());
    await createInvoiceTopics(quietKafka([broker.address], 'mesh-demo-admin'), options.partitions ?? 3);
  } catch (error) {
    await registry?.stop();
    await broker.stop();
    throw error;
  }
  const running = registry;
  const port = broker.port;
  return {
    get broker() {
      return broker;
    },
    registry: running,
    brokers: [broker.address],
    stopBroker: () => broker.stop(),
    async startBroker() {
      broker = await startBroker(brokerOptions(port));
    },
    async stop() {
      await running.stop();
      await broker.stop();
    },
  };
}
