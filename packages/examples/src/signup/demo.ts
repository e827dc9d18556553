import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { FINAL_STATUSES, runCoordinator, STUCK_STATUSES, type RunningCoordinatorService, type SagaState } from '@agentmesh/coordinator';
import { createLogger, RegistryCodec } from '@agentmesh/runtime';
import { createRedisConnection, redactRedisUrl, RedisSession } from '@agentmesh/runtime/internal';
import type { Producer } from 'kafkajs';
import { agentPids, demoDirectories, REPO_MESH_BIN, startAgentProcesses, stopAgentProcesses, type AgentProcess } from '../demo/agent-processes';
import { quietKafka, startLocalStack, type LocalStack } from '../demo/stack';
import { EmailFaultEnv, emailFaultsFromEnv, FAULT_SUFFIXES, type EmailFaultConfig } from './email-faults';
import { failureOfFailedStep } from './effects-check';
import { signupSagaId } from './ids';
import { DEFAULT_LEDGER_REDIS_URL, LedgerEnv, RedisSignupLedger } from './ledger';
import { demoSignups, publishSignups } from './publish';
import { buildSignupReport, renderSignupReport, type SignupReport } from './report';
import { accountSignupSaga } from './saga';
import { formatSagaState } from './timeline';
import { SignupParticipants } from './options';

export interface SignupDemoOptions {
  /** Signups to publish. Default 50. */
  signups?: number;
  /** Bound on waiting for every saga to complete, be compensated or get stuck. Default 90 s. */
  settleTimeoutMs?: number;
  /** Email fault rates; where neither this nor the environment says, DEMO_EMAIL_FAULT_RATES. */
  emailFaultRates?: Partial<Pick<EmailFaultConfig, 'failRate' | 'hangRate'>>;
  /** Signups published per second (a stream, not one burst). Default 25. */
  ratePerSecond?: number;
  /** Every n-th account is marked `-fail` / `-hang` (its email always bounces / hangs). Defaults 0 and 20. */
  failEvery?: number;
  hangEvery?: number;
  /** Saga state and the effects ledger. Default REDIS_URL, else redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** Environment of the participant processes. Default process.env. */
  env?: NodeJS.ProcessEnv;
  brokerPort?: number;
  registryPort?: number;
  /** Holds the logs and the broker's data. Default: a new temporary directory. */
  workDir?: string;
  /** The `mesh` command's script. Default: packages/cli/bin/mesh.js of this repository. */
  meshBin?: string;
  /** Directory of the built participant modules. Default: packages/examples/dist/signup. */
  participantModulesDir?: string;
  /** Part of every account id and key prefix; new per run. */
  runId?: string;
  print?: (text: string) => void;
}

export interface SignupDemoResult {
  report: SignupReport;
  /** The saga store's key prefix of this run (for `mesh saga show --key-prefix`). */
  keyPrefix: string;
  ledgerPrefix: string;
  /** The compensated saga whose timeline was printed, if any. */
  shownSagaId: string | undefined;
}

/** What the demo injects when nobody says otherwise: 10% of welcome emails bounce, 5% of sends hang. */
export const DEMO_EMAIL_FAULT_RATES: Readonly<Pick<EmailFaultConfig, 'failRate' | 'hangRate'>> = Object.freeze({ failRate: 0.1, hangRate: 0.05 });

const PARTICIPANTS = [
  { name: SignupParticipants.users, module: 'users' },
  { name: SignupParticipants.subscriptions, module: 'subscriptions' },
  { name: SignupParticipants.emails, module: 'emails' },
] as const;

const PROGRESS_INTERVAL_MS = 5_000;
const POLL_INTERVAL_MS = 200;

/** The participants' environment: the caller's, with the ledger's place and the email fault rates filled in. */
export function signupParticipantEnv(base: NodeJS.ProcessEnv, redisUrl: string, ledgerPrefix: string, rates: Partial<Pick<EmailFaultConfig, 'failRate' | 'hangRate'>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, [LedgerEnv.kind]: 'redis', [LedgerEnv.redisUrl]: redisUrl, [LedgerEnv.prefix]: ledgerPrefix };
  for (const kind of ['failRate', 'hangRate'] as const) {
    const variable = EmailFaultEnv[kind];
    const chosen = rates[kind];
    if (chosen !== undefined) env[variable] = String(chosen);
    else if (env[variable] === undefined || env[variable]!.trim() === '') env[variable] = String(DEMO_EMAIL_FAULT_RATES[kind]);
  }
  return env;
}

/** Fails fast, and says what to do, when no Redis answers: sagas need one. */
export async function probeRedis(url: string): Promise<void> {
  const session = new RedisSession(createRedisConnection(url, 'saga', createLogger({ name: 'signup-demo', level: 'silent' })), 'saga', true);
  try {
    await session.call('ping', () => session.redis.ping());
  } catch (error) {
    throw new Error(
      `no Redis at ${redactRedisUrl(url)} (${error instanceof Error ? error.message : String(error)}): the saga coordinator keeps its sagas there. Start one (docker compose up -d redis) or set REDIS_URL.`,
    );
  } finally {
    await session.close();
  }
}

function isSettled(state: SagaState | undefined): boolean {
  return state !== undefined && (FINAL_STATUSES.includes(state.status) || STUCK_STATUSES.includes(state.status));
}

/** The compensated saga worth showing: one turned back by a timeout (its story has retries in it), else any. */
export function pickCompensatedSaga(states: readonly (SagaState | undefined)[]): SagaState | undefined {
  const compensated = states.filter((s): s is SagaState => s?.status === 'compensated');
  const timedOut = compensated.filter((s) => failureOfFailedStep(s) === 'timed_out');
  // A saga marked to hang tells the plainest timeout story: every send hung, every late reply a failure.
  return timedOut.find((s) => s.id.endsWith(FAULT_SUFFIXES.hang)) ?? timedOut[0] ?? compensated[0];
}

/**
 * Starts the broker and registry in this process, the saga coordinator
 * (in-process, state in Redis under a key prefix of this run) and the three
 * participants as separate `mesh run` processes; publishes the signups, waits
 * until every saga has ended, prints the table and one compensated saga's
 * story, and stops everything it started.
 */
export async function runSignupDemo(options: SignupDemoOptions = {}): Promise<SignupDemoResult> {
  const print = options.print ?? ((text: string) => void process.stdout.write(text));
  const count = options.signups ?? 50;
  if (!Number.isInteger(count) || count < 1) throw new Error(`signups must be a whole number >= 1, got ${count}`);
  const baseEnv = options.env ?? process.env;
  const redisUrl = options.redisUrl ?? (baseEnv.REDIS_URL?.trim() || DEFAULT_LEDGER_REDIS_URL);
  const runId = options.runId ?? `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const keyPrefix = `mesh:saga:demo-${runId}:`;
  const ledgerPrefix = `mesh:signup:ledger:demo-${runId}:`;
  const env = signupParticipantEnv(baseEnv, redisUrl, ledgerPrefix, options.emailFaultRates);
  // The same parsing the email participant does, so bad values fail here, first.
  const faultRates = emailFaultsFromEnv(env);
  const failEvery = options.failEvery ?? 0;
  const hangEvery = options.hangEvery ?? 20;
  const { logDir, dataDir } = demoDirectories(options.workDir, 'agentmesh-signup-');
  const meshBin = options.meshBin ?? REPO_MESH_BIN;
  const modulesDir = options.participantModulesDir ?? resolve(__dirname, '..', '..', 'dist', 'signup');

  await probeRedis(redisUrl);
  let stack: LocalStack | undefined;
  let coordinatorLog: WriteStream | undefined;
  let coordinator: RunningCoordinatorService | undefined;
  const participants: AgentProcess[] = [];
  let producer: Producer | undefined;
  let ledger: RedisSignupLedger | undefined;
  let progress: NodeJS.Timeout | undefined;
  try {
    print(`Starting the embedded broker and schema registry (run ${runId}, logs in ${logDir})\n`);
    stack = await startLocalStack({ brokerPort: options.brokerPort, registryPort: options.registryPort, dataDir });
    print(`  broker ${stack.broker.address}, registry ${stack.registry.url}\n`);

    print(`Starting the saga coordinator (Redis ${redactRedisUrl(redisUrl)}, key prefix ${keyPrefix})\n`);
    coordinatorLog = createWriteStream(join(logDir, 'coordinator.log'), { flags: 'a' });
    coordinator = await runCoordinator({
      sagas: [accountSignupSaga],
      brokers: stack.brokers,
      registryUrl: stack.registry.url,
      redisUrl,
      keyPrefix,
      logger: createLogger({ name: 'coordinator', destination: coordinatorLog }),
    });
    await coordinator.ready();
    print(`  ready: owns saga.replies partitions ${coordinator.coordinator.ownedPartitions().join(', ')}; metrics at ${coordinator.observabilityUrl}\n`);

    print(`Starting ${PARTICIPANTS.length} participants as separate processes: ${PARTICIPANTS.map((p) => p.name).join(', ')}\n`);
    await startAgentProcesses(
      PARTICIPANTS.map((p) => ({ agent: p.name, modulePath: join(modulesDir, `${p.module}.js`) })),
      { meshBin, brokers: stack.brokers, registryUrl: stack.registry.url, env, logDir },
      participants,
    );
    print(`  all ready (pids ${agentPids(participants)})\n`);

    const signups = demoSignups(runId, count, { failEvery, hangEvery });
    const sagaIds = signups.map((s) => signupSagaId(s.accountId));
    ledger = new RedisSignupLedger(redisUrl, { keyPrefix: ledgerPrefix, logger: createLogger({ name: 'signup-ledger', level: 'warn' }) });
    producer = quietKafka(stack.brokers, 'mesh-signup-demo').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();

    const startedAt = Date.now();
    const ratePerSecond = options.ratePerSecond ?? 25;
    print(`Publishing ${count} signups to accounts.signups, ${ratePerSecond} a second...\n`);
    await publishSignups(producer, new RegistryCodec({ url: stack.registry.url }), signups, { ratePerSecond });
    print(`Published; waiting for every saga to complete, be compensated or get stuck...\n`);
    const store = coordinator.store;
    let states: (SagaState | undefined)[] = [];
    progress = setInterval(() => {
      const by = (pred: (s: SagaState) => boolean) => states.filter((s) => s !== undefined && pred(s)).length;
      print(
        `  completed ${by((s) => s.status === 'completed')}, compensated ${by((s) => s.status === 'compensated')}, stuck ${by((s) => STUCK_STATUSES.includes(s.status))}, under way ${count - states.filter(isSettled).length}\n`,
      );
    }, PROGRESS_INTERVAL_MS);
    const settleTimeoutMs = options.settleTimeoutMs ?? 90_000;
    const deadline = Date.now() + settleTimeoutMs;
    for (;;) {
      states = await store.loadMany(sagaIds);
      if (states.every(isSettled) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    }
    clearInterval(progress);
    const elapsedMs = Date.now() - startedAt;
    if (!states.every(isSettled)) print(`Gave up waiting after ${settleTimeoutMs / 1000} s: ${states.filter((s) => !isSettled(s)).length} sagas have not ended.\n`);

    const effects = await ledger.read(sagaIds);
    const report = buildSignupReport({
      sagaIds,
      states,
      effects,
      faults: { markedFail: signups.filter((s) => s.accountId.endsWith('-fail')).length, markedHang: signups.filter((s) => s.accountId.endsWith('-hang')).length, rates: faultRates },
      elapsedMs,
    });
    print(renderSignupReport(report));

    const shown = pickCompensatedSaga(states);
    if (shown) {
      const log = effects.get(shown.id)?.log ?? [];
      print(`\nOne compensated saga, as \`mesh saga show\` tells it (effects in the ledger: ${log.join(' -> ') || 'none'}):\n\n`);
      print(formatSagaState(shown));
      const redisFlag = redisUrl === DEFAULT_LEDGER_REDIS_URL ? '' : ' --redis <REDIS_URL>';
      print(`\nSee it with the CLI (saga state stays in Redis under the run's prefix):\n  npx mesh saga show ${shown.id} --key-prefix ${keyPrefix}${redisFlag}\n`);
    } else print('\nNo saga was compensated this run.\n');
    return { report, keyPrefix, ledgerPrefix, shownSagaId: shown?.id };
  } finally {
    clearInterval(progress);
    print('Stopping the participants, the coordinator and the stack\n');
    await producer?.disconnect().catch(() => undefined);
    const endings = await stopAgentProcesses(participants);
    if (endings) print(`  ${endings}\n`);
    await coordinator?.stop().catch((error: unknown) => print(`  stopping the coordinator failed: ${error instanceof Error ? error.message : String(error)}\n`));
    await ledger?.close().catch(() => undefined);
    await stack?.stop().catch((error: unknown) => print(`  stopping the stack failed: ${error instanceof Error ? error.message : String(error)}\n`));
    coordinatorLog?.end();
    if (stack) rmSync(dataDir, { recursive: true, force: true });
  }
}
