import { Option, type Command } from 'commander';
import { endpoint } from '../defaults';
import { startConsole, type RunningConsole } from '../console/server';
import { parseBrokerList, parseDuration, parseHttpUrl, parsePort, stopOnSignals } from '../options';
import { BROKERS_HELP, brokersOf, type KafkaFlags } from './dlq/common';
import { DEFAULT_WINDOW, windowText } from './status/common';

/** Where `mesh console` and `mesh dev` serve the console unless told otherwise. */
export const DEFAULT_CONSOLE_PORT = 7070;

interface ConsoleFlags extends KafkaFlags {
  port: number;
  host: string;
  token?: string;
  insecure: boolean;
  registry?: string;
  redis?: string;
  window: number;
  every: number;
  keyPrefix?: string;
  publishAlerts: boolean;
}

/** The token from the flag, else MESH_CONSOLE_TOKEN; blank counts as none. */
export function consoleToken(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = (flag ?? env.MESH_CONSOLE_TOKEN ?? '').trim();
  return token === '' ? undefined : token;
}

/** Starts the console for `mesh console` and `mesh dev` with the endpoints' defaults filled in. */
export function startMeshConsole(options: {
  brokers: string[];
  port: number;
  host?: string;
  token?: string | undefined;
  insecure?: boolean;
  registryUrl?: string;
  redisUrl?: string;
  windowMs?: number;
  everyMs?: number;
  sagaKeyPrefix?: string;
  publishAlerts?: boolean;
}): Promise<RunningConsole> {
  const windowMs = options.windowMs ?? parseDuration(DEFAULT_WINDOW);
  return startConsole({
    brokers: options.brokers,
    registryUrl: options.registryUrl ?? endpoint('SCHEMA_REGISTRY_URL'),
    redisUrl: options.redisUrl ?? endpoint('REDIS_URL'),
    host: options.host ?? '127.0.0.1',
    port: options.port,
    token: options.token,
    insecure: options.insecure ?? false,
    windowMs,
    windowText: windowText(windowMs),
    ...(options.everyMs !== undefined ? { everyMs: options.everyMs } : {}),
    ...(options.sagaKeyPrefix !== undefined ? { sagaKeyPrefix: options.sagaKeyPrefix } : {}),
    publishAlerts: options.publishAlerts ?? false,
    log: (line) => process.stderr.write(`${line}\n`),
  });
}

/** `mesh console`: the web console on 127.0.0.1 (agents, one agent, DLQ, sagas, trace, alerts). */
export function registerConsoleCommand(program: Command): void {
  program
    .command('console')
    .description('serve the web console: the live fleet, one agent with its charts, dead letters (with replay), sagas (with resume), traces and alerts')
    .addOption(new Option('--port <port>', 'port to serve on (0 picks a free one)').argParser(parsePort).default(DEFAULT_CONSOLE_PORT))
    .option('--host <host>', 'address to bind; anything but loopback needs --token (or MESH_CONSOLE_TOKEN), or --insecure', '127.0.0.1')
    .option('--token <token>', 'token that replays and resumes must carry (Authorization: Bearer); default $MESH_CONSOLE_TOKEN')
    .option('--insecure', 'allow a non-loopback --host without a token (anyone reaching it can replay and resume)', false)
    .option('--brokers <list>', BROKERS_HELP, parseBrokerList)
    .option('--registry <url>', 'schema registry, to read Avro heartbeats and values (default: $SCHEMA_REGISTRY_URL or http://127.0.0.1:8081)', parseHttpUrl)
    .option('--redis <url>', "Redis: the agents' idempotency store (replay), the saga store and the trace index (default: $REDIS_URL or redis://127.0.0.1:6379)")
    .option('--key-prefix <prefix>', "Redis key prefix of the saga store (the coordinator's --key-prefix)")
    .addOption(new Option('--window <duration>', 'how much heartbeat history the fleet model reads').default(parseDuration(DEFAULT_WINDOW), DEFAULT_WINDOW).argParser(parseDuration))
    .addOption(new Option('--every <duration>', 'how often the fleet is read').default(3_000, '3s').argParser(parseDuration))
    .option('--no-publish-alerts', 'do not publish alert transitions on mesh.alerts')
    .action(async (flags: ConsoleFlags) => {
      const running = await startMeshConsole({
        brokers: brokersOf(flags),
        port: flags.port,
        host: flags.host,
        token: consoleToken(flags.token),
        insecure: flags.insecure,
        ...(flags.registry !== undefined ? { registryUrl: flags.registry } : {}),
        ...(flags.redis !== undefined ? { redisUrl: flags.redis } : {}),
        windowMs: flags.window,
        everyMs: flags.every,
        ...(flags.keyPrefix !== undefined ? { sagaKeyPrefix: flags.keyPrefix } : {}),
        publishAlerts: flags.publishAlerts,
      });
      stopOnSignals(() => running.stop());
      process.stdout.write(`console on ${running.url}\n`);
    });
}
