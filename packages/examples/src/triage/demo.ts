import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { FINAL_STATUSES, runCoordinator, signalSaga, STUCK_STATUSES, type RunningCoordinatorService, type SagaState } from '@agentmesh/coordinator';
import { createLogger, RegistryCodec } from '@agentmesh/runtime';
import { redactRedisUrl } from '@agentmesh/runtime/internal';
import type { TicketReplySaga } from '@agentmesh/schema-registry';
import type { Kafka, Producer } from 'kafkajs';
import { agentLogFile, demoDirectories, REPO_MESH_BIN, startAgentProcess, startAgentProcesses, stopAgentProcesses, type AgentProcess } from '../demo/agent-processes';
import { quietKafka, startLocalStack, type LocalStack } from '../demo/stack';
import { probeRedis } from '../signup/demo';
import { formatSagaState } from '../signup/timeline';
import { TriageLedger } from './ledger';
import { DEFAULT_LLM_LATENCY_MS, DEFAULT_TRIAGE_SEED, SUPPORT_DESK, TRIAGE_AGENT, TRIAGE_TOPICS, triageProcessEnv, TriageSteps, type TriageSettings } from './options';
import { renderTriageReport, tokenAccount, triageReportProblems, type ApprovalOutcome, type TriageReport } from './report';
import { createTicketReplySaga, TicketReplySteps, ticketReplySagaId } from './saga';
import { demoTickets, publishTickets } from './tickets';

export interface TriageDemoOptions {
  /** Tickets per run (the demo makes two runs: without and with a crash). Default 8. */
  tickets?: number;
  /** Seeds the stand-in model. Default 21 (five tickets answered by the primary model, two by the backup, one by the rules). */
  seed?: number;
  /** How long each stand-in model call takes. Default 250 ms. */
  latencyMs?: number;
  /** Bound on each wait (tickets triaged, sagas settled). Default 90 s. */
  settleTimeoutMs?: number;
  /** Saga state and the ledger. Default REDIS_URL, else redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** Environment of the agent processes. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Holds the logs and the broker's data. Default: a new temporary directory. */
  workDir?: string;
  /** The `mesh` command's script. Default: packages/cli/bin/mesh.js of this repository. */
  meshBin?: string;
  /** Directory of the built agent modules. Default: packages/examples/dist/triage. */
  agentModulesDir?: string;
  /** Part of every ticket id and key prefix; new per run. */
  runId?: string;
  print?: (text: string) => void;
}

export interface TriageDemoResult {
  report: TriageReport;
  /** The saga store's key prefix of this run (for `mesh saga ls --key-prefix`). */
  keyPrefix: string;
  problems: string[];
}

const POLL_MS = 50;
/** How long a draft-reply call takes in the triage process that is killed (at least). */
const SLOW_DRAFT_MS = 2_000;
const isSettled = (s: SagaState | undefined) => s !== undefined && (FINAL_STATUSES.includes(s.status) || STUCK_STATUSES.includes(s.status));

/** Polls `check` until it returns something, at most `timeoutMs`; then throws saying what was awaited. */
async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function createTopics(kafka: Kafka, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = TRIAGE_TOPICS.filter((t) => !existing.has(t));
    if (missing.length > 0) await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: partitions })) });
  } finally {
    await admin.disconnect();
  }
}

/** Runs `mesh <args>` to its end; rejects with its output unless it exits 0. */
function runMesh(meshBin: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [meshBin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolvePromise(output) : reject(new Error(`mesh ${args.slice(0, 2).join(' ')} exited ${code}: ${output.trim()}`))));
  });
}

/**
 * The support triage demo. Starts the broker and registry in this process, the saga coordinator (in-process,
 * state in Redis) and two `mesh run` processes: the triage agent (three journaled steps on the stand-in model,
 * validated outputs with a backup model and keyword rules) and the support desk (sends approved replies).
 * Two runs of the same tickets: one untouched, one where the triage agent is killed with SIGKILL during a
 * ticket's third step and started again; then every reply saga, waiting for approval, is approved (one with
 * `mesh saga signal`) or rejected (one). Prints the tokens each run cost, who answered, and the approvals.
 */
export async function runTriageDemo(options: TriageDemoOptions = {}): Promise<TriageDemoResult> {
  const print = options.print ?? ((text: string) => void process.stdout.write(text));
  const count = options.tickets ?? 8;
  if (!Number.isInteger(count) || count < 2) throw new Error(`tickets must be a whole number >= 2, got ${count}`);
  const baseEnv = options.env ?? process.env;
  const redisUrl = options.redisUrl ?? (baseEnv.REDIS_URL?.trim() || 'redis://127.0.0.1:6379');
  const runId = options.runId ?? `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const latencyMs = options.latencyMs ?? DEFAULT_LLM_LATENCY_MS;
  const settings: TriageSettings = { seed: options.seed ?? DEFAULT_TRIAGE_SEED, latencyMs, draftLatencyMs: latencyMs, redisUrl, ledgerPrefix: `mesh:triage:demo-${runId}:` };
  const keyPrefix = `mesh:saga:triage-${runId}:`;
  const settleTimeoutMs = options.settleTimeoutMs ?? 90_000;
  const env = triageProcessEnv(baseEnv, settings);
  const { logDir, dataDir } = demoDirectories(options.workDir, 'agentmesh-triage-');
  const meshBin = options.meshBin ?? REPO_MESH_BIN;
  const modulesDir = options.agentModulesDir ?? resolve(__dirname, '..', '..', 'dist', 'triage');

  await probeRedis(redisUrl);
  let stack: LocalStack | undefined;
  let coordinatorLog: WriteStream | undefined;
  let coordinator: RunningCoordinatorService | undefined;
  const processes: AgentProcess[] = [];
  let producer: Producer | undefined;
  const ledger = new TriageLedger(redisUrl, settings.ledgerPrefix);
  try {
    print(`Starting the embedded broker and schema registry (run ${runId}, logs in ${logDir})\n`);
    stack = await startLocalStack({ dataDir });
    await createTopics(quietKafka(stack.brokers, 'mesh-triage-admin'), 3);
    const brokers = stack.brokers;
    const registryUrl = stack.registry.url;

    print(`Starting the saga coordinator (Redis ${redactRedisUrl(redisUrl)}, key prefix ${keyPrefix})\n`);
    coordinatorLog = createWriteStream(join(logDir, 'coordinator.log'), { flags: 'a' });
    const running = await runCoordinator({
      sagas: [createTicketReplySaga()],
      brokers,
      registryUrl,
      redisUrl,
      keyPrefix,
      logger: createLogger({ name: 'coordinator', destination: coordinatorLog }),
    });
    coordinator = running;
    await running.ready();

    const triageModule = { agent: TRIAGE_AGENT, modulePath: join(modulesDir, 'triage-agent.js') };
    print(
      `Starting the triage agent and the support desk as \`mesh run\` processes (stand-in model: seed ${settings.seed}, ${settings.latencyMs} ms a call; draft-reply ${Math.max(SLOW_DRAFT_MS, 4 * latencyMs)} ms in the agent to be killed)\n`,
    );
    // The process to be killed drafts slowly, so the kill lands while a draft-reply call is under way; the one
    // started after it drafts at the normal pace. Listed in this order (killed agent, desk, new agent) every run.
    const slowDraftEnv = triageProcessEnv(baseEnv, { ...settings, draftLatencyMs: Math.max(SLOW_DRAFT_MS, 4 * latencyMs) });
    const [triageStarted, deskStarted]: AgentProcess[][] = [[], []];
    const starts = await Promise.allSettled([
      startAgentProcesses([triageModule], { meshBin, brokers, registryUrl, env: slowDraftEnv, logDir }, triageStarted),
      startAgentProcesses([{ agent: SUPPORT_DESK, modulePath: join(modulesDir, 'support-desk.js') }], { meshBin, brokers, registryUrl, env, logDir }, deskStarted),
    ]);
    processes.push(...triageStarted, ...deskStarted);
    const failedStart = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failedStart) throw failedStart.reason;
    const firstTriage = triageStarted[0]!;

    producer = quietKafka(brokers, 'mesh-triage-demo').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const codec = new RegistryCodec({ url: registryUrl });
    const store = running.store;
    const allWaiting = (sagaIds: readonly string[]) => async () => {
      const states = await store.loadMany(sagaIds);
      return states.every((s) => s?.status === 'waiting') ? states : undefined;
    };

    // Run 1: the tickets, nothing killed.
    const quiet = demoTickets(`${runId}-a`, count);
    const quietSagas = quiet.map((t) => ticketReplySagaId(t.ticketId));
    print(`\nRun 1: ${count} tickets, nothing killed\n`);
    await publishTickets(producer, codec, quiet);
    await until('the tickets of run 1 to be triaged', settleTimeoutMs, allWaiting(quietSagas));
    print(`  all ${count} triaged; their reply sagas wait for approval\n`);

    // Run 2: the same tickets; the agent is killed (SIGKILL) once a ticket's third step has asked the model.
    const crashed = demoTickets(`${runId}-b`, count);
    const crashedIds = new Set(crashed.map((t) => t.ticketId));
    const crashedSagas = crashed.map((t) => ticketReplySagaId(t.ticketId));
    print(`\nRun 2: the same ${count} tickets; the triage agent is killed with SIGKILL during a ticket's step 3 (${TriageSteps.draftReply})\n`);
    await publishTickets(producer, codec, crashed);
    const inStepThree = await until(`a ticket of run 2 to reach step 3`, settleTimeoutMs, async () =>
      (await ledger.read()).calls.find((c) => crashedIds.has(c.ticketId) && c.step === TriageSteps.draftReply),
    );
    print(`  ${TriageSteps.draftReply} of ${inStepThree.ticketId} asked the model: kill -9 ${firstTriage.pid} -> ${await firstTriage.kill('SIGKILL')}\n`);
    const secondTriage = await startAgentProcess({ meshBin, brokers, registryUrl, env, ...triageModule, logFile: agentLogFile(logDir, TRIAGE_AGENT) });
    processes.push(secondTriage);
    print(`  started again (pid ${secondTriage.pid}); the killed process's events come back once its group session and claims lapse (about 10 s)\n`);
    await until('the tickets of run 2 to be triaged', settleTimeoutMs, allWaiting(crashedSagas));
    print(`  all ${count} triaged\n`);

    // The approvals: one with the CLI, one rejected, the rest from code.
    const sagaIds = [...quietSagas, ...crashedSagas];
    const waited = (await store.loadMany(sagaIds)).filter((s) => s?.status === 'waiting').length;
    print(`\n${waited} reply sagas are waiting at ${TicketReplySteps.approve} (npx mesh saga ls --state waiting --key-prefix ${keyPrefix})\n`);
    const [viaCli, rejected, ...approved] = sagaIds as [string, string, ...string[]];
    const storeFlags = ['--redis', redisUrl, '--key-prefix', keyPrefix];
    const cliArgs = [
      'saga',
      'signal',
      viaCli,
      TicketReplySteps.approve,
      '--approve',
      '--value',
      '{"approvedBy":"ann (cli)"}',
      '--brokers',
      brokers.join(','),
      '--registry',
      registryUrl,
      ...storeFlags,
      '--wait',
    ];
    print(`  mesh saga signal ${viaCli} ${TicketReplySteps.approve} --approve --value '{"approvedBy":"ann (cli)"}' --wait\n`);
    const cliOutput = await runMesh(meshBin, cliArgs, baseEnv);
    print(`${cliOutput.trim().replace(/^/gm, '    ')}\n`);
    await signalSaga(producer, codec, { sagaId: rejected, step: TicketReplySteps.approve, decision: 'reject', reason: 'the drafted reply promises too much' });
    for (const sagaId of approved) await signalSaga(producer, codec, { sagaId, step: TicketReplySteps.approve, decision: 'approve', value: { approvedBy: 'demo-operator' } });
    print(`  rejected ${rejected}; approved the other ${approved.length} with signalSaga\n`);

    const states = await until('every reply saga to settle', settleTimeoutMs, async () => {
      const loaded = await store.loadMany(sagaIds);
      return loaded.every(isSettled) ? loaded : undefined;
    }).catch(() => store.loadMany(sagaIds));

    const contents = await ledger.read();
    // Who answered each ticket of run 1, from its saga's data (in the encoding of the topic it was last written for).
    const answeredBy: Record<string, number> = {};
    for (const state of await store.loadMany(quietSagas)) {
      const data = state ? ((await codec.decode(state.data.topic, Buffer.from(state.data.bytes, 'base64'))) as Partial<TicketReplySaga>) : undefined;
      const by = data?.answeredBy ?? 'unknown';
      answeredBy[by] = (answeredBy[by] ?? 0) + 1;
    }
    const approvals: ApprovalOutcome = {
      waited,
      approved: approved.length + 1,
      approvedWithCli: viaCli,
      rejected: 1,
      completed: states.filter((s) => s?.status === 'completed').length,
      compensated: states.filter((s) => s?.status === 'compensated').length,
      repliesSent: contents.sent.size,
      unsettled: states.filter((s) => !isSettled(s)).length,
    };
    const report: TriageReport = {
      tickets: count,
      seed: settings.seed,
      noCrash: tokenAccount(
        contents.calls,
        contents.replayed,
        quiet.map((t) => t.ticketId),
      ),
      crash: { ...tokenAccount(contents.calls, contents.replayed, [...crashedIds]), killedDuring: { ticketId: inStepThree.ticketId, step: inStepThree.step } },
      answeredBy,
      approvals,
    };
    print(renderTriageReport(report));
    const shown = states.find((s) => s?.id === viaCli);
    if (shown) print(`\nThe saga approved with the CLI, as \`mesh saga show ${viaCli} --key-prefix ${keyPrefix}\` tells it:\n\n${formatSagaState(shown)}\n`);
    const problems = triageReportProblems(report);
    print(problems.length === 0 ? '\nAll checks hold.\n' : `\nProblems:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return { report, keyPrefix, problems };
  } finally {
    print('Stopping the agents, the coordinator and the stack\n');
    await producer?.disconnect().catch(() => undefined);
    const endings = await stopAgentProcesses(processes);
    if (endings) print(`  ${endings}\n`);
    await coordinator?.stop().catch((error: unknown) => print(`  stopping the coordinator failed: ${error instanceof Error ? error.message : String(error)}\n`));
    await ledger.forget().catch(() => undefined);
    await ledger.close().catch(() => undefined);
    await stack?.stop().catch((error: unknown) => print(`  stopping the stack failed: ${error instanceof Error ? error.message : String(error)}\n`));
    coordinatorLog?.end();
    if (stack) rmSync(dataDir, { recursive: true, force: true });
  }
}
