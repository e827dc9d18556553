import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FINAL_STATUSES, SagaStore, STUCK_STATUSES, type SagaState } from '@agentmesh/coordinator';
import { createLogger, RegistryCodec } from '@agentmesh/runtime';
import type { Admin, Producer } from 'kafkajs';
import { REPO_MESH_BIN } from '../../demo/agent-processes';
import { quietKafka, startLocalStack, type LocalStack } from '../../demo/stack';
import { FailureEnv } from '../../invoice/failure-injection';
import { DEMO_EMAIL_FAULT_RATES, signupParticipantEnv } from '../demo';
import type { EmailFaultConfig } from '../email-faults';
import { signupSagaId } from '../ids';
import { DEFAULT_LEDGER_REDIS_URL, RedisSignupLedger, type SagaEffects } from '../ledger';
import { SignupParticipants } from '../options';
import { demoSignups, publishSignups } from '../publish';
import { accountSignupSaga, SignupSteps } from '../saga';
import { formatSagaState } from '../timeline';
import { isRebalancing, waitForGroupState } from './group-state';
import { injectFaults, sleep, type FaultEvent, type FaultTargets } from './inject';
import { logErrors, tailLogs } from './logs';
import { startPrivateRedis, type PrivateRedis } from './private-redis';
import { recoveryBoundMs } from './recovery-bound';
import { renderVerdict, type SagaFaultsVerdict } from './report';
import { isMeshReadyLine, MeshRole, startRetrying } from './roles';
import { describePlannedFault, faultSchedule, type FaultKind } from './schedule';
import { GUARANTEES, judgeSagas, judgementOk, type SagaProblem } from './verdict';

/**
 * The signup saga under faults: the embedded broker and registry in this
 * process, a private Redis (saga state, the participants' idempotency) with
 * an append-only file, two `mesh coordinator` processes sharing one group,
 * and the users, subscriptions and emails participants as `mesh run`
 * processes, their effects going to the ledger in the shared Redis (which
 * no fault touches). Signups are published at a steady rate, some welcome
 * emails bouncing or hanging; meanwhile the seeded faults kill -9 a
 * participant, a coordinator, and Redis while the coordinator group
 * rebalances (see schedule.ts). Then every saga gets a bounded wait to end,
 * the processes are stopped, and the final states and effects are judged
 * (see verdict.ts). Every process is killed at the end, whatever happened;
 * on a failure the logs of all of them are printed.
 */

export interface SagaFaultsOptions {
  seed: number;
  signups: number;
  /** Signups published per second. Default 20. */
  ratePerSecond?: number;
  /** Rounds of faults (each: a participant killed, and a coordinator killed with Redis killed during the rebalance). Default 1. */
  rounds?: number;
  /** Which faults a round has (schedule.ts). Default participant and coordinator; `broker` stops and restarts the broker. */
  faultKinds?: readonly FaultKind[];
  /** Welcome email fault rates. Default DEMO_EMAIL_FAULT_RATES (10% bounce, 5% hang per send). */
  emailFaultRates?: Partial<Pick<EmailFaultConfig, 'failRate' | 'hangRate'>>;
  /** Every n-th account's email always bounces / hangs (0: none). Defaults 0 and 20, as the demo. */
  failEvery?: number;
  hangEvery?: number;
  /** Session timeout of the coordinators' and participants' group members. Default 3000 ms. */
  sessionTimeoutMs?: number;
  /** Grace of the recovery bound (see recovery-bound.ts). Default 3000 ms. */
  recoveryGraceMs?: number;
  /** Bound on waiting for the sagas once the faults and the publishing are over. Default: the recovery bound + 10 s. */
  settleTimeoutMs?: number;
  /** Bound on a restarted process getting ready. Default 20 s (a coordinator left unready is left running). */
  restartReadyTimeoutMs?: number;
  /** The shared Redis that keeps the effects ledger. Default REDIS_URL, else redis://127.0.0.1:6379. */
  ledgerRedisUrl?: string;
  /** The redis-server command of the private Redis. Default `redis-server`. */
  redisServer?: string;
  /** Holds logs/, broker/ and redis/. Default: a new temporary directory, removed after a pass. */
  workDir?: string;
  /** Keep the work directory after a pass as well. */
  keepWorkDir?: boolean;
  /** The `mesh` command's script. Default packages/cli/bin/mesh.js. */
  meshBin?: string;
  /** Directory of the built saga and participant modules. Default packages/examples/dist/signup. */
  modulesDir?: string;
  /** Environment of the processes. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Progress and, on a failure, the verdict, the failing sagas' timelines and every log's tail. Default stdout. */
  print?: (text: string) => void;
  /** Lines of each log printed on a failure. Default 60. */
  logTailLines?: number;
  /** Aborting stops the run: every process is killed. */
  signal?: AbortSignal;
}

const PARTICIPANTS = [
  { name: SignupParticipants.users, module: 'users' },
  { name: SignupParticipants.subscriptions, module: 'subscriptions' },
  { name: SignupParticipants.emails, module: 'emails' },
] as const;

const COORDINATORS = 2;
const COORDINATOR_GROUP = 'mesh-coordinator-signup-faults';
const FIRST_START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const POLL_MS = 250;
/** Failing sagas whose whole timeline is printed on a failure. */
const TIMELINES_SHOWN = 4;

function positive(name: string, value: number, integer = false): number {
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) throw new Error(`${name} must be a ${integer ? 'whole ' : ''}number > 0, got ${value}`);
  return value;
}

function isSettled(state: SagaState | undefined): boolean {
  return state !== undefined && (FINAL_STATUSES.includes(state.status) || STUCK_STATUSES.includes(state.status));
}

/** The states of up to `max` sagas with problems: the first of each guarantee broken, then the next ones. */
function sagasToShow(problems: readonly SagaProblem[], states: readonly (SagaState | undefined)[], max: number): SagaState[] {
  const chosen: string[] = [];
  for (const guarantee of GUARANTEES) {
    const first = problems.find((p) => p.guarantee === guarantee && !chosen.includes(p.sagaId));
    if (first) chosen.push(first.sagaId);
  }
  for (const p of problems) if (!chosen.includes(p.sagaId)) chosen.push(p.sagaId);
  const byId = new Map(states.filter((s): s is SagaState => s !== undefined).map((s) => [s.id, s]));
  return chosen
    .map((id) => byId.get(id))
    .filter((s): s is SagaState => s !== undefined)
    .slice(0, max);
}

/** `promise`, or a rejection saying `what` once `ms` have passed (the promise itself goes on). */
function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs the saga fault injection once (see the module's comment) and returns its verdict. Throws when the run itself could not be carried out. */
export async function runSagaFaults(options: SagaFaultsOptions): Promise<SagaFaultsVerdict> {
  const began = Date.now();
  const { seed } = options;
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`seed must be a whole number >= 0, got ${seed}`);
  const count = positive('signups', options.signups, true);
  const ratePerSecond = positive('ratePerSecond', options.ratePerSecond ?? 20);
  const sessionTimeoutMs = positive('sessionTimeoutMs', options.sessionTimeoutMs ?? 3_000, true);
  const restartReadyTimeoutMs = positive('restartReadyTimeoutMs', options.restartReadyTimeoutMs ?? 20_000);
  const print = options.print ?? ((text: string) => void process.stdout.write(text));
  const baseEnv = options.env ?? process.env;
  const ledgerRedisUrl = options.ledgerRedisUrl ?? (baseEnv.REDIS_URL?.trim() || DEFAULT_LEDGER_REDIS_URL);
  const meshBin = options.meshBin ?? REPO_MESH_BIN;
  const modulesDir = options.modulesDir ?? resolve(__dirname, '..', '..', '..', 'dist', 'signup');
  for (const module of ['saga', ...PARTICIPANTS.map((p) => p.module)]) {
    if (!existsSync(join(modulesDir, `${module}.js`))) throw new Error(`${join(modulesDir, `${module}.js`)} does not exist: build first (npm run build)`);
  }
  const boundMs = recoveryBoundMs(accountSignupSaga, { hangingSteps: [SignupSteps.sendWelcomeEmail], graceMs: options.recoveryGraceMs ?? 3_000 });
  const settleTimeoutMs = options.settleTimeoutMs ?? boundMs + 10_000;

  const runId = `f${seed}-${randomBytes(3).toString('hex')}`;
  const ownWorkDir = options.workDir === undefined;
  const workDir = resolve(options.workDir ?? mkdtempSync(join(tmpdir(), `agentmesh-saga-faults-${seed}-`)));
  const logDir = join(workDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const keyPrefix = `mesh:saga:faults-${runId}:`;
  const ledgerPrefix = `mesh:signup:ledger:faults-${runId}:`;

  // Every child is killed (SIGKILL) when this aborts: at the end of the run, on the caller's abort, and should this process exit first.
  const lifetime = new AbortController();
  const { signal } = lifetime;
  const abortRun = () => lifetime.abort(options.signal?.aborted ? options.signal.reason : new Error('the run was aborted'));
  options.signal?.addEventListener('abort', abortRun, { once: true });
  if (options.signal?.aborted) abortRun();
  process.once('exit', abortRun);

  const logStreams: WriteStream[] = [];
  const logStream = (name: string) => {
    const stream = createWriteStream(join(logDir, name), { flags: 'a' });
    logStreams.push(stream);
    return stream;
  };
  const logger = createLogger({ name: 'saga-faults', level: 'warn', destination: logStream('harness.log') });

  let stack: LocalStack | undefined;
  let redis: PrivateRedis | undefined;
  let store: SagaStore | undefined;
  let ledger: RedisSignupLedger | undefined;
  let producer: Producer | undefined;
  let admin: Admin | undefined;
  const roles: MeshRole[] = [];
  let sagaIds: string[] = [];
  let verdict: SagaFaultsVerdict | undefined;
  let problemStates: SagaState[] = [];
  let failed = true;
  const stopRoles = async () => {
    const endings = await Promise.all(roles.map(async (role) => `${role.name}: ${await role.stop(STOP_GRACE_MS)}`));
    return endings.join(', ');
  };
  try {
    print(`seed ${seed}: run ${runId}, ${count} signups at ${ratePerSecond}/s; work dir ${workDir}\n`);
    stack = await startLocalStack({ dataDir: join(workDir, 'broker'), partitions: 3, brokerLogger: createLogger({ name: 'broker', level: 'warn', destination: logStream('broker.log') }) });
    redis = await startPrivateRedis({ dir: join(workDir, 'redis'), logDir, command: options.redisServer, signal });
    const privateRedis = redis;
    const localStack = stack;
    print(`  broker ${stack.broker.address}, registry ${stack.registry.url}, private Redis ${redis.url} (AOF in ${redis.dir}), ledger ${ledgerRedisUrl} under ${ledgerPrefix}\n`);

    const kafkaFlags = ['--brokers', stack.brokers.join(','), '--registry', stack.registry.url, '--port', '0'];
    const coordinatorEnv: NodeJS.ProcessEnv = { ...baseEnv, LOG_LEVEL: baseEnv.LOG_LEVEL ?? 'info' };
    const coordinators = Array.from(
      { length: COORDINATORS },
      (_, i) =>
        new MeshRole({
          name: `coordinator-${i + 1}`,
          meshBin,
          args: [
            'coordinator',
            '--sagas',
            join(modulesDir, 'saga.js'),
            ...kafkaFlags,
            '--redis',
            privateRedis.url,
            '--group',
            COORDINATOR_GROUP,
            '--key-prefix',
            keyPrefix,
            '--session-timeout',
            String(sessionTimeoutMs),
          ],
          env: coordinatorEnv,
          logDir,
          isReady: isMeshReadyLine,
          signal,
        }),
    );
    const participantEnv: NodeJS.ProcessEnv = {
      ...signupParticipantEnv(coordinatorEnv, ledgerRedisUrl, ledgerPrefix, { ...DEMO_EMAIL_FAULT_RATES, ...options.emailFaultRates }),
      [FailureEnv.seed]: `saga-faults-${seed}`,
    };
    const participants = new Map<string, MeshRole>(
      PARTICIPANTS.map((p) => [
        p.name,
        new MeshRole({
          name: p.name,
          meshBin,
          // The idempotency store is the private Redis (--redis); REDIS_URL in the environment is the ledger's.
          args: ['run', join(modulesDir, `${p.module}.js`), ...kafkaFlags, '--redis', privateRedis.url, '--session-timeout', String(sessionTimeoutMs), '--drain-timeout', '5000'],
          env: participantEnv,
          logDir,
          isReady: isMeshReadyLine,
          signal,
        }),
      ]),
    );
    roles.push(...coordinators, ...participants.values());

    // The first coordinator creates the saga's topics (with their partition counts) before anybody subscribes to them.
    await coordinators[0]!.start(FIRST_START_TIMEOUT_MS);
    const rest = await Promise.allSettled([...coordinators.slice(1), ...participants.values()].map((role) => role.start(FIRST_START_TIMEOUT_MS)));
    const notStarted = rest.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (notStarted) throw notStarted.reason;
    print(`  started ${roles.map((r) => `${r.name} (pid ${r.pid()})`).join(', ')}\n`);

    store = SagaStore.connect(redis.url, logger, { keyPrefix, connectTimeoutMs: 1_000, commandTimeoutMs: 1_000 });
    ledger = new RedisSignupLedger(ledgerRedisUrl, { keyPrefix: ledgerPrefix, logger });
    const kafka = quietKafka(stack.brokers, `saga-faults-${runId}`);
    admin = kafka.admin();
    await admin.connect();
    const groupAdmin = admin;
    await waitForGroupState(groupAdmin, COORDINATOR_GROUP, (state) => state === 'Stable', 30_000, { signal });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();

    // Account (and so saga) ids are the seed's, not the run's: a seed replayed draws the same email faults for the same sagas.
    // The run's own key prefixes keep it apart from other runs of the seed on the shared Redis.
    const signups = demoSignups(`s${seed}`, count, { failEvery: options.failEvery ?? 0, hangEvery: options.hangEvery ?? 20 });
    sagaIds = signups.map((s) => signupSagaId(s.accountId));
    const publishMs = (count / ratePerSecond) * 1000;
    const schedule = faultSchedule({
      seed,
      participants: PARTICIPANTS.map((p) => p.name),
      coordinators: COORDINATORS,
      windowStartMs: Math.round(publishMs * 0.1),
      windowMs: Math.max(1, Math.round(publishMs * 0.7)),
      rounds: options.rounds,
      ...(options.faultKinds ? { kinds: options.faultKinds } : {}),
    });
    const plannedFaults = schedule.rounds.flat().map((f) => describePlannedFault(f, (slot) => coordinators[slot]!.name));
    print(`  faults planned:\n${plannedFaults.map((f) => `    ${f}\n`).join('')}`);

    const waitForRedis = async () => {
      const deadline = Date.now() + 30_000;
      while (!privateRedis.isRunning()) {
        if (Date.now() > deadline) throw new Error('the private Redis was not running again within 30 s');
        await sleep(100, signal);
      }
    };
    const restart = (role: MeshRole) => startRetrying(role, { readyTimeoutMs: restartReadyTimeoutMs, attempts: 3, beforeRetry: waitForRedis });
    const targets: FaultTargets = {
      killParticipant: (name) => participants.get(name)!.kill9(),
      startParticipant: (name) => restart(participants.get(name)!),
      killCoordinator: (slot) => coordinators[slot]!.kill9(),
      startCoordinator: (slot) => restart(coordinators[slot]!),
      coordinatorName: (slot) => coordinators[slot]!.name,
      stopBroker: () => localStack.stopBroker(),
      startBroker: () => localStack.startBroker(),
      killRedis: () => privateRedis.kill(),
      startRedis: () => privateRedis.start(),
      rebalanceStarted: (timeoutMs) => waitForGroupState(groupAdmin, COORDINATOR_GROUP, isRebalancing, timeoutMs, { pollMs: 20, signal }),
      rebalanceSettled: (timeoutMs) => waitForGroupState(groupAdmin, COORDINATOR_GROUP, (state) => state === 'Stable', timeoutMs, { pollMs: 20, signal }),
    };
    const onEvent = (e: FaultEvent) => print(`    +${(e.atMs / 1000).toFixed(2)} s  ${e.what}\n`);

    const startedAt = Date.now();
    print(`  publishing; faults as they happen:\n`);
    const publishing = publishSignups(producer, new RegistryCodec({ url: stack.registry.url }), signups, { ratePerSecond }).then(() => Date.now());
    const injecting = injectFaults(schedule, targets, { startedAt, rebalanceTimeoutMs: sessionTimeoutMs + 10_000, signal, onEvent });
    // The first failure of either is thrown below; the other's, coming later, must not go unhandled.
    for (const running of [publishing, injecting]) void running.catch(() => undefined);
    const [publishedAt, injection] = await Promise.all([publishing, injecting]);
    print(
      `  published ${count} signups in ${((publishedAt - startedAt) / 1000).toFixed(1)} s; faults over at +${((injection.endedAt - startedAt) / 1000).toFixed(1)} s; waiting for the sagas (at most ${(settleTimeoutMs / 1000).toFixed(0)} s)\n`,
    );

    const deadline = Math.max(injection.endedAt, publishedAt) + settleTimeoutMs;
    let states: (SagaState | undefined)[] = [];
    for (;;) {
      states = await bounded(store.loadMany(sagaIds), 5_000, 'no answer from the saga store').catch(() => states);
      if ((states.length === sagaIds.length && states.every(isSettled)) || Date.now() > deadline) break;
      await sleep(POLL_MS, signal);
    }

    // Stopped before the states and effects are read: nothing can change them any more.
    print(`  stopping the processes: ${await stopRoles()}\n`);
    const judgedAt = Date.now();
    const finalStates = await store.loadMany(sagaIds);
    const effects: Map<string, SagaEffects> = await ledger.read(sagaIds);
    const judgement = judgeSagas({ sagaIds, states: finalStates, effects, faultsEndedAt: injection.endedAt, recoveryBoundMs: boundMs, judgedAt });
    const ok = judgementOk(judgement);
    problemStates = sagasToShow(judgement.problems, finalStates, TIMELINES_SHOWN);
    verdict = {
      ...judgement,
      seed,
      runId,
      signups: count,
      ok,
      plannedFaults,
      events: injection.events,
      notes: injection.notes,
      publishMs: publishedAt - startedAt,
      faultsEndedMs: injection.endedAt - startedAt,
      recoveryBoundMs: boundMs,
      durationMs: 0,
      workDir: ok && !options.keepWorkDir && ownWorkDir ? undefined : workDir,
    };
    failed = !ok;
    if (ok) await ledger.forget(sagaIds).catch((error: unknown) => logger.warn({ error: String(error) }, 'could not delete the ledger entries of the run'));
    return verdict;
  } catch (error) {
    print(`seed ${seed}: the run could not be carried out: ${error instanceof Error ? error.message : String(error)}\n`);
    throw error;
  } finally {
    await stopRoles().catch(() => undefined);
    abortRun(); // whatever is left (a start under way, Redis) is killed now
    process.removeListener('exit', abortRun);
    options.signal?.removeEventListener('abort', abortRun);
    await producer?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await ledger?.close().catch(() => undefined);
    await redis?.kill().catch(() => undefined);
    await stack?.stop().catch((error: unknown) => print(`  stopping the broker failed: ${error instanceof Error ? error.message : String(error)}\n`));
    await Promise.all(logStreams.map((s) => new Promise<void>((done) => s.end(done))));
    if (verdict) verdict.durationMs = Date.now() - began;
    if (failed) {
      if (verdict) {
        print(renderVerdict(verdict));
        for (const state of problemStates.slice(0, TIMELINES_SHOWN)) print(`\n${formatSagaState(state)}`);
      }
      const errors = logErrors(logDir);
      print(errors.length === 0 ? '\nerrors logged: none\n' : `\nerrors logged:\n${errors.map((e) => `  ${e}\n`).join('')}`);
      print(`\nlogs of every process (${logDir}):\n${tailLogs(logDir, options.logTailLines ?? 60)}`);
    }
    rmSync(join(workDir, 'broker'), { recursive: true, force: true });
    if (!failed && !options.keepWorkDir && ownWorkDir) rmSync(workDir, { recursive: true, force: true });
  }
}
