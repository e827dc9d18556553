import { connect } from 'node:net';
import { AgentDefinitionError, DEFAULT_LEASE_TIMING, runAgent } from '@agentmesh/runtime';
import { DEFAULT_SESSION_TIMEOUT_MS, loadAgentModule } from '@agentmesh/runtime/internal';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { cliConnection, cliKafkaSecurity, registryCredentials } from '../connection/settings';
import { DEFAULT_ENDPOINTS, endpoint } from '../defaults';
import { kafkaStartError } from '../kafka';
import { parseBrokerList, parsePort, parsePositiveInt, stopOnSignals, UsageError } from '../options';
import { attachToSupervisor, replicaFromEnv } from '../supervisor/replica';
import { DEFAULT_RESTART_POLICY } from '../supervisor/restart-policy';
import { parseReplicas, superviseReplicas, type ReplicaFlags } from '../supervisor/supervise';
import { enableTypeScriptFor } from '../typescript/typescript-modules';

/** The flags of `mesh run`: what every replica gets, plus --replicas and the supervisor's hidden back-off. */
interface RunFlags extends ReplicaFlags {
  replicas: number;
  /** Hidden: the first restart back-off of the supervisor (tests). */
  restartDelay?: number;
}

/** True when something accepts TCP connections at the URL's host and port within `timeoutMs`. */
function reachable(url: string, timeoutMs = 500): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) || 6379 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** --redis, else REDIS_URL, else the default if a Redis answers there; undefined means the in-process store. */
async function chooseRedis(flag: string | undefined): Promise<string | undefined> {
  if (flag) return flag;
  // REDIS_URL or REDIS_URL_FILE (a URL with a password is a secret), checked with the other settings.
  const configured = cliConnection().redisUrl;
  if (configured !== undefined) return configured;
  return (await reachable(DEFAULT_ENDPOINTS.REDIS_URL)) ? DEFAULT_ENDPOINTS.REDIS_URL : undefined;
}

const seconds = (ms: number) => `${ms / 1000} s`;

/** --lease-ttl: a whole number of ms that leaves the active instance room to renew before its margin. */
function parseLeaseTtl(value: string): number {
  const ms = parsePositiveInt(value);
  const least = DEFAULT_LEASE_TIMING.marginMs + DEFAULT_LEASE_TIMING.renewEveryMs;
  if (ms <= least) throw new InvalidArgumentError(`must be above ${least} ms (the lease's ${DEFAULT_LEASE_TIMING.marginMs} ms margin plus one ${DEFAULT_LEASE_TIMING.renewEveryMs} ms renewal)`);
  return ms;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run an agent module as its own consumer group (several `mesh run` of one agent share the work)')
    .argument('<module>', 'a JavaScript or TypeScript (.ts, run through tsx, no build step) module whose default export is defineAgent({...})')
    .option(
      '--replicas <n>',
      'agent processes to run and supervise, 2 or more; 1 runs the agent in this process (an orchestrator such as Kubernetes usually runs the replicas, and one process is simplest to debug)',
      parseReplicas,
      1,
    )
    .option('--brokers <list>', 'Kafka brokers (default: $KAFKA_BROKERS or 127.0.0.1:9092)', parseBrokerList)
    .option('--registry <url>', 'schema registry (default: $SCHEMA_REGISTRY_URL or http://127.0.0.1:8081)')
    .option('--json', 'values are JSON, no schema registry', false)
    .option('--redis <url>', 'Redis for idempotency (default: $REDIS_URL, else 127.0.0.1:6379 if it answers, else in-process)')
    .option('--port <port>', 'port of /metrics, /health and /ready (0 picks a free one)', parsePort, 0)
    .option('--host <host>', 'interface of /metrics, /health and /ready', '127.0.0.1')
    .option('--session-timeout <ms>', 'how long the group waits for a silent consumer (a kill -9) before moving its partitions', parsePositiveInt, DEFAULT_SESSION_TIMEOUT_MS)
    .option('--drain-timeout <ms>', 'how long SIGTERM waits for in-flight handlers', parsePositiveInt, 30_000)
    .option('--chaos', 'obey chaos commands on mesh.control (mesh chaos); without it the agent refuses them and logs it', false)
    .option(
      '--lease-ttl <ms>',
      `one-active agents (instances: 'one-active'): how long after the active instance's last renewal a standby takes over (default ${DEFAULT_LEASE_TIMING.ttlMs}; above ${DEFAULT_LEASE_TIMING.marginMs + DEFAULT_LEASE_TIMING.renewEveryMs})`,
      parseLeaseTtl,
    )
    .addOption(new Option('--restart-delay <ms>', 'first back-off before restarting a crashed replica (tests)').argParser(parsePositiveInt).hideHelp())
    .addHelpText(
      'after',
      [
        '',
        'With --replicas N (N >= 2) this process supervises N `mesh run` processes of the module (same flags; with --port P,',
        'replica i serves on P+i, else on a free port). Their output lines carry their replica number. A replica that crashes',
        `(non-zero exit, signal) restarts after ${seconds(DEFAULT_RESTART_POLICY.firstDelayMs)} doubling to ${seconds(DEFAULT_RESTART_POLICY.maxDelayMs)} (from the start again once it stayed up ${seconds(DEFAULT_RESTART_POLICY.stableAfterMs)});`,
        `${DEFAULT_RESTART_POLICY.crashLoopCrashes} crashes in a row is a crash loop: that replica is given up with a one-line status, the others keep running,`,
        'and the supervisor exits 1 once none is left. Each replica reports its restarts (mesh_process_restarts, heartbeat counter',
        '`restarts`). SIGTERM or SIGINT: SIGTERM to every replica, wait for them (drain timeout + 5 s), exit 0.',
      ].join('\n'),
    )
    .action(async (modulePath: string, flags: RunFlags) => {
      if (flags.replicas > 1) return superviseReplicas({ modulePath, replicas: flags.replicas, flags, firstRestartDelayMs: flags.restartDelay });
      const supervised = replicaFromEnv();
      let agent;
      try {
        enableTypeScriptFor([modulePath]);
        agent = loadAgentModule(modulePath);
      } catch (err) {
        if (err instanceof AgentDefinitionError) throw new UsageError(err.message);
        throw err;
      }
      const brokers = flags.brokers ?? parseBrokerList(endpoint('KAFKA_BROKERS'));
      const running = await runAgent(agent, {
        brokers,
        registryUrl: flags.json ? undefined : (flags.registry ?? endpoint('SCHEMA_REGISTRY_URL')),
        ...(registryCredentials().auth ? { registryAuth: registryCredentials().auth } : {}),
        redisUrl: await chooseRedis(flags.redis),
        restarts: supervised?.restarts ?? 0,
        observability: { host: flags.host, port: flags.port },
        worker: {
          kafka: cliKafkaSecurity(),
          sessionTimeoutMs: flags.sessionTimeout,
          heartbeatIntervalMs: Math.max(100, Math.floor(flags.sessionTimeout / 10)),
          drainTimeoutMs: flags.drainTimeout,
          chaos: flags.chaos ?? false,
          ...(flags.leaseTtl !== undefined ? { leaseTiming: { ttlMs: flags.leaseTtl } } : {}),
        },
      }).catch((error: unknown) => {
        throw kafkaStartError(error, `agent ${agent.name}`, brokers);
      });
      stopOnSignals(() => running.stop());
      const supervisor = attachToSupervisor();
      await running.ready();
      const replica = supervised ? ` (replica ${supervised.replica}, restarts ${supervised.restarts})` : '';
      // stdout carries only the JSON log lines; what a person reads goes to stderr.
      process.stderr.write(`agent ${agent.name} ready${replica}: consumer group ${agent.name}; metrics, health and readiness at ${running.observabilityUrl}\n`);
      supervisor.ready({ agent: agent.name, observabilityUrl: running.observabilityUrl });
    });
}
