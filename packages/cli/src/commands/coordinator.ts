import { DEFAULT_COORDINATOR_GROUP, loadSagaModule, runCoordinator, SagaDefinitionError, SAGA_REPLIES_TOPIC, type Saga } from '@agentmesh/coordinator';
import { StoreConfigError } from '@agentmesh/runtime';
import { DEFAULT_SESSION_TIMEOUT_MS, redactRedisUrl } from '@agentmesh/runtime/internal';
import { Option, type Command } from 'commander';
import { cliKafkaSecurity, registryCredentials } from '../connection/settings';
import { DEFAULT_ENDPOINTS, endpoint } from '../defaults';
import { kafkaStartError } from '../kafka';
import { parseBrokerList, parseHttpUrl, parsePort, parsePositiveInt, stopOnSignals, UsageError } from '../options';
import { DEFAULT_KEY_PREFIX, SagaCommandError, withStore } from './saga/common';
import { enableTypeScriptFor } from '../typescript/typescript-modules';

const READY_REPORT_EVERY_MS = 60_000;

interface CoordinatorFlags {
  sagas?: string[];
  brokers?: string[];
  registry?: string;
  json: boolean;
  redis?: string;
  group: string;
  keyPrefix: string;
  port: number;
  host: string;
  sessionTimeout: number;
}

const SAGAS_EXAMPLE = 'e.g. mesh coordinator --sagas ./sagas/order.js; repeat --sagas for several modules';

/** Commander collector of a repeatable option without a default. */
function collectPaths(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The sagas of every --sagas module; a module that cannot be loaded, or two sagas of one name, is a one-line UsageError. */
export function loadSagas(paths: readonly string[], load: (path: string) => Saga[] = loadSagaModule): Saga[] {
  if (paths.length === 0) throw new UsageError(`--sagas <module> is required: the module(s) whose exports are defineSaga({...}) (${SAGAS_EXAMPLE})`);
  const sagas = new Set<Saga>();
  for (const path of paths) {
    try {
      for (const saga of load(path)) sagas.add(saga);
    } catch (error) {
      // Node's "Cannot find module" carries a multi-line require stack: the first line says it all.
      if (error instanceof SagaDefinitionError) throw new UsageError(`--sagas ${path}: ${error.message.split('\n')[0]}`);
      throw error;
    }
  }
  const byName = new Map<string, Saga>();
  for (const saga of sagas) {
    if (byName.has(saga.name)) throw new UsageError(`two sagas are named '${saga.name}' (sagas of the --sagas modules must have distinct names)`);
    byName.set(saga.name, saga);
  }
  return [...sagas];
}

/** `0-5` for a run of partitions, `0,2,4` otherwise, `none` for none. */
export function describePartitions(partitions: readonly number[]): string {
  if (partitions.length === 0) return 'none';
  const sorted = [...partitions].sort((a, b) => a - b);
  const contiguous = sorted.every((p, i) => i === 0 || p === sorted[i - 1]! + 1);
  return contiguous && sorted.length > 2 ? `${sorted[0]}-${sorted[sorted.length - 1]}` : sorted.join(',');
}

export function registerCoordinatorCommand(program: Command): void {
  program
    .command('coordinator')
    .description('run the saga coordinator for the sagas of one or more modules (several instances share the sagas by saga.replies partition)')
    .option('--sagas <module>', 'a JavaScript or TypeScript module exporting sagas (defineSaga); required, repeatable', collectPaths)
    .option('--brokers <list>', 'Kafka brokers (default: $KAFKA_BROKERS or 127.0.0.1:9092)', parseBrokerList)
    .addOption(
      new Option('--registry <url>', 'schema registry: saga data, commands and audit records in Avro (default: $SCHEMA_REGISTRY_URL or http://127.0.0.1:8081)')
        .argParser(parseHttpUrl)
        .conflicts('json'),
    )
    .option('--json', 'values are JSON, no schema registry', false)
    .option('--redis <url>', `Redis holding the saga state (default: $REDIS_URL or ${DEFAULT_ENDPOINTS.REDIS_URL})`)
    .option('--group <id>', 'consumer group shared by the coordinator instances', DEFAULT_COORDINATOR_GROUP)
    .option('--key-prefix <prefix>', 'Redis key prefix of the saga state (give `mesh saga` the same)', DEFAULT_KEY_PREFIX)
    .option('--port <port>', 'port of /metrics, /health and /ready (0 picks a free one)', parsePort, 0)
    .option('--host <host>', 'interface of /metrics, /health and /ready', '127.0.0.1')
    .option('--session-timeout <ms>', 'how long the group waits for a silent instance (a kill -9) before moving its partitions (and sagas)', parsePositiveInt, DEFAULT_SESSION_TIMEOUT_MS)
    .addHelpText(
      'after',
      '\nLogs are JSON lines on stdout (LOG_LEVEL sets the level); the ready line and other notes for a person go to stderr. SIGTERM or SIGINT: finishes the sagas being driven, leaves the group, exits 0.',
    )
    .action(async (flags: CoordinatorFlags) => {
      enableTypeScriptFor(flags.sagas ?? []);
      const sagas = loadSagas(flags.sagas ?? []);
      const redisUrl = flags.redis ?? endpoint('REDIS_URL');
      // A Redis that cannot be reached is said in one line, not fatal: the coordinator claims its partitions once it
      // is back (readiness says so meanwhile). A URL that cannot work (StoreConfigError) still stops here.
      const unreachable = await withStore({ redis: redisUrl, keyPrefix: flags.keyPrefix }, async (store) => {
        await store.countByStatus();
        return undefined;
      }).catch((error: unknown) => {
        if (error instanceof SagaCommandError && !(error.cause instanceof StoreConfigError)) return error.message;
        throw error;
      });
      if (unreachable) process.stderr.write(`mesh: ${unreachable}; starting anyway: the coordinator claims its partitions once the store answers (/ready says so meanwhile)\n`);
      const brokers = flags.brokers ?? parseBrokerList(endpoint('KAFKA_BROKERS'));
      const running = await runCoordinator({
        sagas,
        brokers,
        registryUrl: flags.json ? undefined : (flags.registry ?? endpoint('SCHEMA_REGISTRY_URL')),
        ...(registryCredentials().auth ? { registryAuth: registryCredentials().auth } : {}),
        redisUrl,
        keyPrefix: flags.keyPrefix,
        observability: { host: flags.host, port: flags.port },
        coordinator: { kafka: cliKafkaSecurity(), groupId: flags.group, sessionTimeoutMs: flags.sessionTimeout, heartbeatIntervalMs: Math.max(100, Math.floor(flags.sessionTimeout / 10)) },
      }).catch((error: unknown) => {
        throw kafkaStartError(error, 'the coordinator', brokers);
      });
      stopOnSignals(() => running.stop());
      // Waits as long as it takes (a store or broker away at start is absorbed), saying why every minute.
      for (;;) {
        try {
          await running.ready(READY_REPORT_EVERY_MS);
          break;
        } catch {
          const checks = await running.coordinator.readiness();
          const why = Object.entries(checks)
            .filter(([, c]) => !c.ok)
            .map(([name, c]) => `${name}: ${c.detail ?? 'not ok'}`)
            .join('; ');
          process.stderr.write(`mesh: coordinator not ready yet (${why || 'joining its group'}); still trying\n`);
        }
      }
      const types = sagas.map((s) => `${s.name} (trigger ${s.trigger})`).join(', ');
      // stdout carries only the JSON log lines; what a person reads goes to stderr.
      process.stderr.write(
        `coordinator ready: group ${flags.group}, sagas ${types}; owns ${SAGA_REPLIES_TOPIC} partitions ${describePartitions(running.coordinator.ownedPartitions())}; ` +
          `state in ${redactRedisUrl(redisUrl)} under ${flags.keyPrefix}; metrics at ${running.observabilityUrl}/metrics (health /health, readiness /ready)\n`,
      );
    });
}
