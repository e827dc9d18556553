import { openActiveLeaseStore } from '../activity/open';
import type { KafkaConfig } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkajsPathsStatus } from '@agentmesh/kafkajs-paths';
import type { Agent } from '../agent/types';
import type { EventCodec } from '../codec/codec';
import type { RegistryAuth } from '../connection/settings';
import { JsonCodec } from '../codec/json-codec';
import { RegistryCodec } from '../codec/registry-codec';
import { openIdempotencyStore } from '../idempotency/open';
import { openCheckpointStore } from '../checkpoint/open';
import { openAgentStateStore } from '../state/open';
import { MemoryKeyBarrier, RedisKeyBarrier, type KeyBarrier } from '../ordering/key-barrier';
import { createLogger } from '../observability/logger';
import { PrometheusWorkerMetrics } from '../observability/prometheus-metrics';
import { startObservabilityServer, type ObservabilityServer } from '../observability/http-server';
import { setupTracing, type Tracing } from '../observability/tracing-setup';
import { startWorker, type RunningWorker, type WorkerOptions } from '../worker/worker';
import { waitBounded } from './wait-bounded';
import { registerRestartsGauge, RESTARTS_COUNTER } from './process-counters';

export interface RunAgentOptions {
  brokers: string[];
  /** Avro through this registry; without it values are JSON. */
  registryUrl?: string;
  /** Credentials for the registry (connectionSettingsFromEnv reads them from SCHEMA_REGISTRY_*). */
  registryAuth?: RegistryAuth;
  /** TLS and SASL of every Kafka client (kafkaSecurityFromSettings), over `worker.kafka`. */
  kafka?: Pick<KafkaConfig, 'ssl' | 'sasl'>;
  /** Redis for idempotency; without it an in-process store (duplicates suppressed per process only). */
  redisUrl?: string;
  /** Consumers of the agent's group in this process. Default 1. */
  replicas?: number;
  /**
   * How many times a supervisor has restarted this process (`mesh run --replicas N` passes MESH_RESTARTS).
   * Reported as `mesh_process_restarts` on /metrics and as the `restarts` counter of every heartbeat. Default 0.
   */
  restarts?: number;
  /** /metrics, /health and /ready; false for none. Default: 127.0.0.1 on a free port. */
  observability?: { host?: string; port?: number } | false;
  logger?: Logger;
  /** Tracing already set up by the caller; by default runAgent sets it up (OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set). */
  tracing?: Tracing;
  worker?: Partial<Omit<WorkerOptions, 'brokers' | 'codec' | 'idempotency' | 'checkpoints' | 'stateStore' | 'keyBarrier' | 'logger' | 'metrics' | 'tracer'>>;
}

export interface RunningAgent {
  readonly agent: string;
  readonly workers: readonly RunningWorker[];
  /** Base URL of /metrics, /health, /ready, when served. */
  readonly observabilityUrl: string | undefined;
  /** Resolves once every replica has joined the group (bounded). */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Everything an agent process needs, assembled: codec, idempotency store, metrics, health server, workers. */
export async function runAgent(agent: Agent, options: RunAgentOptions): Promise<RunningAgent> {
  const logger = options.logger ?? createLogger({ name: agent.name });
  // Once, at start: which of kafkajs's hot paths are ours (the record codecs and the produce request load at first use).
  logger.info({ kafkajsPaths: kafkajsPathsStatus() }, 'kafkajs paths');
  const restarts = options.restarts ?? 0;
  const codec: EventCodec = options.registryUrl ? new RegistryCodec({ url: options.registryUrl, ...(options.registryAuth ? { auth: options.registryAuth } : {}) }) : new JsonCodec();
  const idempotency = openIdempotencyStore({ redisUrl: options.redisUrl, logger });
  const checkpoints = openCheckpointStore({ redisUrl: options.redisUrl, logger });
  const stateStore = openAgentStateStore({ redisUrl: options.redisUrl, logger });
  const activeLeases = agent.instances === 'one-active' ? openActiveLeaseStore(options.redisUrl, logger) : undefined;
  const keyBarrier: KeyBarrier = agent.ordering === 'key' && options.redisUrl ? RedisKeyBarrier.connect(options.redisUrl, logger) : new MemoryKeyBarrier();
  const metrics = new PrometheusWorkerMetrics();
  registerRestartsGauge(metrics.registry, agent.name, restarts);
  const processCounters: ReadonlyMap<string, number> = new Map([[RESTARTS_COUNTER, restarts]]);
  // Once per process: the tracer provider is process-wide.
  const ownTracing = options.tracing ? undefined : setupTracing({ serviceName: agent.name });
  const tracer = (options.tracing ?? ownTracing)!.tracer;
  const workers: RunningWorker[] = [];
  let server: ObservabilityServer | undefined;
  try {
    for (let i = 0; i < (options.replicas ?? 1); i++) {
      workers.push(
        await startWorker(agent, {
          processCounters: () => processCounters,
          ...options.worker,
          ...(options.kafka ? { kafka: { ...options.worker?.kafka, ...options.kafka } } : {}),
          brokers: options.brokers,
          codec,
          idempotency,
          checkpoints,
          stateStore,
          keyBarrier,
          ...(activeLeases ? { activeLeases } : {}),
          logger,
          metrics,
          tracer,
        }),
      );
    }
    if (options.observability !== false) {
      server = await startObservabilityServer({
        host: options.observability?.host,
        port: options.observability?.port ?? 0,
        registry: metrics.registry,
        readiness: async () => {
          const reports = await Promise.all(workers.map((w) => w.readiness()));
          const checks = Object.fromEntries(reports.flatMap((r, i) => Object.entries(r).map(([k, v]) => [workers.length > 1 ? `${k}#${i}` : k, v] as const)));
          return { ready: Object.values(checks).every((c) => c.ok), checks };
        },
      });
    }
  } catch (err) {
    await Promise.allSettled(workers.map((w) => w.stop()));
    await idempotency.close();
    await checkpoints.close();
    await stateStore.close();
    await keyBarrier.close();
    await activeLeases?.close();
    await ownTracing?.shutdown();
    throw err;
  }

  return {
    agent: agent.name,
    workers,
    observabilityUrl: server?.url,
    async ready(timeoutMs = 60_000) {
      await waitBounded(Promise.all(workers.map((w) => w.joined)), timeoutMs, `agent ${agent.name} did not join its group within ${timeoutMs} ms`);
    },
    async stop() {
      await Promise.allSettled(workers.map((w) => w.stop()));
      await server?.stop();
      await idempotency.close();
      await checkpoints.close();
      await stateStore.close();
      await keyBarrier.close();
      await activeLeases?.close();
      await ownTracing?.shutdown();
    },
  };
}
