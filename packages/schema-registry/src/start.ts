import type { AddressInfo } from 'node:net';
import { PortInUseError } from './errors';
import type { RegistryUser } from './http/basic-auth';
import { createRegistryHttpServer } from './http/server';
import { SchemaRegistryService } from './registry';
import { KafkaSchemaStore, type KafkaSchemaStoreOptions } from './store/kafka-store';
import { MemorySchemaStore } from './store/memory-store';
import type { SchemaStore } from './store/store';

export interface SchemaRegistryOptions {
  /** Interface to bind; loopback by default so a dev registry is not exposed. */
  readonly host?: string;
  /** 8081 by default, Confluent's port; 0 picks a free port. */
  readonly port?: number;
  /** Kafka bootstrap brokers holding `_schemas`; absent: state is kept in memory only. */
  readonly brokers?: readonly string[];
  /** The state topic, `_schemas` by default. */
  readonly topic?: string;
  /** Largest request body accepted, 16 MiB by default. */
  readonly maxBodyBytes?: number;
  /** Bound on waits for the Kafka log, 15 s by default. */
  readonly storeTimeoutMs?: number;
  /** Unexpected failures (answered 500) are reported here; the server keeps running. */
  readonly onInternalError?: (error: unknown) => void;
  /** TLS and SASL of the Kafka holding `_schemas` (kafkajs's `ssl` and `sasl`). */
  readonly kafkaSecurity?: KafkaSchemaStoreOptions['security'];
  /** Require HTTP basic auth from every client, as one of these users (off by default, as Confluent's). */
  readonly basicAuthUsers?: readonly RegistryUser[];
}

export interface RunningSchemaRegistry {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, ready for `new SchemaRegistry({ host: url })`. */
  readonly url: string;
  /** Stops accepting requests, closes open connections and the Kafka clients. */
  stop(): Promise<void>;
}

function listen(server: ReturnType<typeof createRegistryHttpServer>, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port) : error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Starts an embedded Confluent-compatible schema registry. Rejects with PortInUseError
 * when the port is taken, and with SchemaStoreError when Kafka cannot be reached.
 */
export async function startSchemaRegistry(options: SchemaRegistryOptions = {}): Promise<RunningSchemaRegistry> {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 8081;
  const store: SchemaStore =
    options.brokers && options.brokers.length > 0
      ? await KafkaSchemaStore.open({ brokers: options.brokers, topic: options.topic, timeoutMs: options.storeTimeoutMs, ...(options.kafkaSecurity ? { security: options.kafkaSecurity } : {}) })
      : new MemorySchemaStore();
  const service = new SchemaRegistryService(store);
  const server = createRegistryHttpServer(service, {
    maxBodyBytes: options.maxBodyBytes,
    onInternalError: options.onInternalError,
    ...(options.basicAuthUsers ? { basicAuthUsers: options.basicAuthUsers } : {}),
  });
  let address: AddressInfo;
  try {
    address = await listen(server, host, requestedPort);
  } catch (error) {
    await store.close();
    throw error;
  }
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let stopping: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    url: `http://${urlHost}:${address.port}`,
    stop: () => {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await store.close();
      })();
      return stopping;
    },
  };
}
