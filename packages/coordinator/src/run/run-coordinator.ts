import type { Logger } from 'pino';
import { createLogger, JsonCodec, RegistryCodec, setupTracing, type EventCodec, type RegistryAuth, type Tracing } from '@agentmesh/runtime';
import { startObservabilityServer, waitBounded, type ObservabilityServer } from '@agentmesh/runtime/internal';
import { CoordinatorMetrics } from '../observability/metrics';
import type { Saga } from '../saga/types';
import { startCoordinator, type CoordinatorOptions, type RunningCoordinator } from '../service/coordinator';
import { SagaStore } from '../store/saga-store';

export interface RunCoordinatorOptions {
  sagas: readonly Saga[];
  brokers: string[];
  /** Avro through this registry; without it values are JSON. */
  registryUrl?: string;
  /** Credentials for the registry (connectionSettingsFromEnv reads them from SCHEMA_REGISTRY_*). */
  registryAuth?: RegistryAuth;
  /** Where saga state lives. Required: sagas must survive the process. */
  redisUrl: string;
  /** Redis key prefix. Default `mesh:saga:`. */
  keyPrefix?: string;
  /** /metrics, /health and /ready; false for none. Default: 127.0.0.1 on a free port. */
  observability?: { host?: string; port?: number } | false;
  logger?: Logger;
  tracing?: Tracing;
  coordinator?: Partial<Omit<CoordinatorOptions, 'sagas' | 'brokers' | 'codec' | 'store' | 'logger' | 'metrics' | 'tracer'>>;
}

export interface RunningCoordinatorService {
  readonly coordinator: RunningCoordinator;
  readonly store: SagaStore;
  readonly observabilityUrl: string | undefined;
  /** Resolves once the instance has joined its group (bounded). */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Everything a coordinator process needs, assembled: codec, saga store, metrics, tracing, health server. */
export async function runCoordinator(options: RunCoordinatorOptions): Promise<RunningCoordinatorService> {
  const logger = options.logger ?? createLogger({ name: 'coordinator' });
  const codec: EventCodec = options.registryUrl ? new RegistryCodec({ url: options.registryUrl, ...(options.registryAuth ? { auth: options.registryAuth } : {}) }) : new JsonCodec();
  const store = SagaStore.connect(options.redisUrl, logger, { keyPrefix: options.keyPrefix });
  const metrics = new CoordinatorMetrics();
  const ownTracing = options.tracing ? undefined : setupTracing({ serviceName: 'mesh-coordinator' });
  const tracer = (options.tracing ?? ownTracing)!.tracer;
  let coordinator: RunningCoordinator | undefined;
  let server: ObservabilityServer | undefined;
  try {
    coordinator = await startCoordinator({ ...options.coordinator, sagas: options.sagas, brokers: options.brokers, codec, store, logger, metrics, tracer });
    const running = coordinator;
    if (options.observability !== false) {
      server = await startObservabilityServer({
        host: options.observability?.host,
        port: options.observability?.port ?? 0,
        registry: metrics.registry,
        readiness: async () => {
          const checks = await running.readiness();
          return { ready: Object.values(checks).every((c) => c.ok), checks };
        },
      });
    }
  } catch (error) {
    await coordinator?.stop().catch(() => undefined);
    await store.close();
    await ownTracing?.shutdown();
    throw error;
  }
  const running = coordinator;
  return {
    coordinator: running,
    store,
    observabilityUrl: server?.url,
    async ready(timeoutMs = 60_000) {
      await waitBounded(running.joined, timeoutMs, `coordinator did not join its group within ${timeoutMs} ms`);
    },
    async stop() {
      await running.stop();
      await server?.stop();
      await store.close();
      await ownTracing?.shutdown();
    },
  };
}
