import { startBroker, type BrokerOptions, type RunningBroker } from '@agentmesh/broker';
import { loadContracts, registerContracts, startSchemaRegistry, type RunningSchemaRegistry } from '@agentmesh/schema-registry';
import type { RegistryAuth } from '@agentmesh/runtime';
import { registryAuthorizationHeader } from '@agentmesh/runtime/internal';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
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
  /**
   * A running Kafka and registry (Apache Kafka and Confluent's, say) to use instead of starting the
   * embedded pair: the contracts are registered and the topics created there, and stop() leaves them up.
   */
  external?: ExternalKafka;
}

export interface ExternalKafka {
  brokers: string[];
  registryUrl: string;
  /** TLS and SASL of a secured cluster (kafkaSecurityFromSettings: the KAFKA_* variables the agents read too). */
  security?: Pick<KafkaConfig, 'ssl' | 'sasl'>;
  /** The registry's credentials (SCHEMA_REGISTRY_USERNAME/PASSWORD or _TOKEN). */
  registryAuth?: RegistryAuth;
}

export interface LocalStack {
  /** The broker now: restartBroker replaces it (an external cluster's address is its bootstrap list). */
  readonly broker: Pick<RunningBroker, 'address'>;
  registry: Pick<RunningSchemaRegistry, 'url'>;
  /** Bootstrap list for clients: `[broker.address]`. */
  brokers: string[];
  /** How clients connect to an external cluster and registry; nothing for the embedded pair. */
  security?: Pick<KafkaConfig, 'ssl' | 'sasl'>;
  registryAuth?: RegistryAuth;
  /** Stops the broker (a chaos fault); startBroker brings it back. */
  stopBroker(): Promise<void>;
  /** Starts the broker again on the same port with the same data (a data dir keeps the records). */
  startBroker(): Promise<void>;
  stop(): Promise<void>;
}

/** A kafkajs client that keeps quiet (the demo prints a table, not client chatter). */
export function quietKafka(brokers: string[], clientId: string, security: Pick<KafkaConfig, 'ssl' | 'sasl'> = {}): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 }, ...security });
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
  if (options.external) return useExternalStack(options.external, options.partitions ?? 3);
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

/** The stack on a Kafka and registry someone else runs: prepared like the embedded one, never stopped from here. */
async function useExternalStack(external: ExternalKafka, partitions: number): Promise<LocalStack> {
  await registerContracts(external.registryUrl, loadContracts(), registryAuthorizationHeader(external.registryAuth));
  await createInvoiceTopics(quietKafka(external.brokers, 'mesh-demo-admin', external.security), partitions);
  const notOurs = () => Promise.reject(new Error(`the broker at ${external.brokers.join(',')} is not this stack's to stop or start`));
  return {
    broker: { address: external.brokers.join(',') },
    registry: { url: external.registryUrl },
    brokers: [...external.brokers],
    ...(external.security ? { security: external.security } : {}),
    ...(external.registryAuth ? { registryAuth: external.registryAuth } : {}),
    stopBroker: notOurs,
    startBroker: notOurs,
    stop: async () => undefined,
  };
}
