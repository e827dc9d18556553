import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RegistryCodec } from '@agentmesh/runtime';
import type { Producer } from 'kafkajs';
import { failureConfigFromEnv, FailureEnv, type FailureRates } from '../invoice/failure-injection';
import { INVOICE_PIPELINE } from '../invoice/pipeline';
import { agentPids, demoDirectories, REPO_MESH_BIN, startAgentProcesses, stopAgentProcesses, type AgentProcess } from './agent-processes';
import { startConsoleProcess, type ConsoleProcess } from './console-process';
import { followOutcomes, type OutcomeFollower } from './follow';
import { OutcomeLedger } from './ledger';
import { demoInvoices, publishInvoices } from './publish';
import { buildReport, renderReport, type AgentFailureRates, type DemoReport } from './report';
import { quietKafka, startLocalStack, type ExternalKafka, type LocalStack } from './stack';

export interface DemoOptions {
  /** Invoices to publish. Default 200. */
  invoices?: number;
  /** Bound on waiting for every invoice to be posted or dead-lettered. Default 120 s. */
  settleTimeoutMs?: number;
  /**
   * Mesh-wide failure rates for the agents. Where neither this nor the
   * environment (MESH_FAIL_*) says, the demo injects DEMO_FAILURE_RATES.
   * Per-agent variables (MESH_FAIL_TRANSIENT_OCR, ...) still win.
   */
  failureRates?: Partial<FailureRates>;
  /** Environment of the agent processes (REDIS_URL, MESH_FAIL_*, LOG_LEVEL). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** A running Kafka and registry to use instead of starting the embedded pair (`npm run demo:kafka`'s). */
  external?: ExternalKafka;
  /** 0 (default) picks free ports. */
  brokerPort?: number;
  registryPort?: number;
  /** Partitions of the invoice topics. Default 3. */
  partitions?: number;
  /** Holds the agents' logs and the broker's data. Default: a new temporary directory. */
  workDir?: string;
  /** The `mesh` command's script. Default: packages/cli/bin/mesh.js of this repository. */
  meshBin?: string;
  /** Directory of the built agent modules. Default: packages/examples/dist/invoice. */
  agentModulesDir?: string;
  /** Part of every invoice id; new per run so a shared Redis does not see old ids. */
  runId?: string;
  /** Where progress and the table go. Default stdout. */
  print?: (text: string) => void;
  /** Start the web console (`mesh console`) and print its URL. Default true. */
  console?: boolean;
  /** After the table, keep the mesh and the console up until SIGINT or SIGTERM. Default false. */
  keep?: boolean;
}

/** What the demo injects when nobody says otherwise: every agent fails about 7% of its calls. */
export const DEMO_FAILURE_RATES: FailureRates = Object.freeze({ transient: 0.05, permanent: 0.01, slow: 0.01 });

const PROGRESS_INTERVAL_MS = 5_000;

/** The agents' environment: the caller's, with mesh-wide failure rates filled in. */
export function demoAgentEnv(base: NodeJS.ProcessEnv, rates: Partial<FailureRates> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const kind of ['transient', 'permanent', 'slow'] as const) {
    const chosen = rates[kind];
    const variable = FailureEnv[kind];
    if (chosen !== undefined) env[variable] = String(chosen);
    else if (env[variable] === undefined || env[variable]!.trim() === '') env[variable] = String(DEMO_FAILURE_RATES[kind]);
  }
  return env;
}

/**
 * The README's main job: starts the broker and the registry in this process,
 * runs the four invoice agents as separate `mesh run` processes, publishes
 * invoices with failures injected, follows every invoice to its posting or a
 * DLQ, prints the table and stops everything it started.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const print = options.print ?? ((text: string) => void process.stdout.write(text));
  const count = options.invoices ?? 200;
  if (!Number.isInteger(count) || count < 1) throw new Error(`invoices must be a whole number >= 1, got ${count}`);
  const env = demoAgentEnv(options.env ?? process.env, options.failureRates);
  // The same function the agents use, so the table's rates are the ones injected (and bad values fail here, first).
  const failureRates: AgentFailureRates[] = INVOICE_PIPELINE.map((s) => ({ agent: s.agent, rates: failureConfigFromEnv(s.agent, env).rates }));
  const runId = options.runId ?? `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const { logDir, dataDir } = demoDirectories(options.workDir, 'agentmesh-demo-');
  const meshBin = options.meshBin ?? REPO_MESH_BIN;
  const modulesDir = options.agentModulesDir ?? resolve(__dirname, '..', '..', 'dist', 'invoice');

  let stack: LocalStack | undefined;
  const agents: AgentProcess[] = [];
  let follower: OutcomeFollower | undefined;
  let producer: Producer | undefined;
  let progress: NodeJS.Timeout | undefined;
  let webConsole: ConsoleProcess | undefined;
  try {
    print(`${options.external ? 'Preparing the Kafka and schema registry given' : 'Starting the embedded broker and schema registry'} (run ${runId}, logs in ${logDir})\n`);
    stack = await startLocalStack({ brokerPort: options.brokerPort, registryPort: options.registryPort, dataDir, partitions: options.partitions, external: options.external });
    print(`  broker ${stack.broker.address}, registry ${stack.registry.url}\n`);

    print(`Starting ${INVOICE_PIPELINE.length} agents as separate processes: ${INVOICE_PIPELINE.map((s) => s.agent).join(' -> ')}\n`);
    await startAgentProcesses(
      INVOICE_PIPELINE.map((stage) => ({ agent: stage.agent, modulePath: join(modulesDir, `${stage.moduleFile}.js`) })),
      { meshBin, brokers: stack.brokers, registryUrl: stack.registry.url, env, logDir },
      agents,
    );
    print(`  all ready (pids ${agentPids(agents)})\n`);
    if (options.console ?? true) {
      try {
        webConsole = await startConsoleProcess({ meshBin, brokers: stack.brokers, registryUrl: stack.registry.url, env, logDir });
        print(`  console on ${webConsole.url}\n`);
      } catch (error) {
        // The demo's table does not need the console.
        print(`  console not started: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }

    const invoices = demoInvoices(runId, count);
    const ledger = new OutcomeLedger(invoices.map((i) => i.invoiceId));
    const codec = new RegistryCodec({ url: stack.registry.url, ...(stack.registryAuth ? { auth: stack.registryAuth } : {}) });
    const kafka = quietKafka(stack.brokers, 'mesh-demo', stack.security);
    follower = await followOutcomes({ kafka, codec, stages: INVOICE_PIPELINE, ledger, groupId: `mesh-demo-${runId}` });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();

    const startedAt = Date.now();
    await publishInvoices(producer, codec, invoices);
    print(`Published ${count} invoices to invoices.received; following them to invoices.posted or a DLQ...\n`);
    progress = setInterval(() => {
      const s = ledger.snapshot();
      print(`  posted ${s.posted}, dead-lettered ${s.deadLetters.length}, retries ${Object.values(s.retriesByAgent).reduce((a, b) => a + b, 0)}, in flight ${s.unsettled.length}\n`);
    }, PROGRESS_INTERVAL_MS);
    const settleTimeoutMs = options.settleTimeoutMs ?? 120_000;
    const settled = await ledger.whenSettled(settleTimeoutMs);
    clearInterval(progress);
    if (!settled) print(`Gave up waiting after ${settleTimeoutMs / 1000} s: ${ledger.unsettled().length} invoices neither posted nor dead-lettered.\n`);

    const report = buildReport(ledger.snapshot(), failureRates, Date.now() - startedAt);
    print(renderReport(report));
    for (const problem of follower.readErrors.slice(0, 5)) print(`  could not read: ${problem}\n`);
    if (options.keep) {
      print(`Keeping the mesh up${webConsole ? `; the console is on ${webConsole.url}` : ''}. Ctrl-C to stop.\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
    return report;
  } finally {
    clearInterval(progress);
    print('Stopping the agents and the stack\n');
    await follower?.stop().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await webConsole?.process.stop().catch(() => undefined);
    const endings = await stopAgentProcesses(agents);
    if (endings) print(`  ${endings}\n`);
    await stack?.stop().catch((error: unknown) => print(`  stopping the stack failed: ${error instanceof Error ? error.message : String(error)}\n`));
    // The broker's data is of no use after the run; the agents' logs are kept for reading.
    if (stack) rmSync(dataDir, { recursive: true, force: true });
  }
}
