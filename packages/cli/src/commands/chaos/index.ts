import type { Command } from 'commander';
import { DEFAULT_ENDPOINTS, endpoint } from '../../defaults';
import { kafkaClient, kafkaErrorMessage } from '../../kafka';
import { parseBrokerList, parseDuration, parsePositiveInt, UsageError } from '../../options';
import { loadHarness, runHarnessScenario } from './harness';
import { renderHarnessReport, renderReport, renderScenarioList } from './render';
import { runScenario } from './run-scenario';
import { findScenario, SCENARIOS } from './scenarios';

interface ChaosFlags {
  agent?: string;
  topic?: string;
  value?: string;
  count: number;
  duration?: number;
  delay: number;
  answerWait: number;
  settleTimeout: number;
  brokers?: string[];
  registry?: string;
  jsonValues: boolean;
  json: boolean;
  harness?: string;
  seed: number;
}

function parseJsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--value is not JSON: ${text.slice(0, 80)}`);
  }
}

/** `mesh chaos <scenario>` and `mesh chaos ls`. */
export function registerChaosCommand(program: Command): void {
  program
    .command('chaos')
    .description('run a chaos scenario against a running mesh and judge it from a ledger read back from Kafka (`mesh chaos ls` lists them)')
    .argument('<scenario>', `ls, or one of: ${SCENARIOS.map((s) => s.name).join(', ')}`)
    .option('--agent <name>', 'the agent under test (its processes must run under mesh run --chaos)')
    .option('--topic <topic>', 'a topic the agent consumes: the scenario publishes its events there')
    .option('--value <json>', "a value of the topic's contract, published --count times with fresh ids")
    .option('--count <n>', 'events to publish (load: ten times as many)', parsePositiveInt, 20)
    .option('--duration <duration>', "how long the fault lasts (30s, 5m); default: the scenario's (see mesh chaos ls)", parseDuration)
    .option('--delay <duration>', 'dependency-delay: how long each call through a breaker waits', parseDuration, 30_000)
    .option('--answer-wait <duration>', "how long to wait for the agents' answers to a command", parseDuration, 10_000)
    .option('--settle-timeout <duration>', 'how long after the fault the events may take to be accounted for', parseDuration, 120_000)
    .option('--brokers <list>', `Kafka brokers (default: $KAFKA_BROKERS or ${DEFAULT_ENDPOINTS.KAFKA_BROKERS})`, parseBrokerList)
    .option('--registry <url>', `schema registry (default: $SCHEMA_REGISTRY_URL or ${DEFAULT_ENDPOINTS.SCHEMA_REGISTRY_URL})`)
    .option('--json-values', 'values are JSON, no schema registry (agents run with mesh run --json)', false)
    .option('--json', 'print the report as JSON', false)
    .option('--harness <module>', 'sagas: the harness module that runs it (see mesh chaos ls)')
    .option('--seed <n>', 'sagas: the seed of the harness run (when and what it kills)', (v) => parsePositiveInt(v), 1)
    .addHelpText(
      'after',
      [
        '',
        'Faults are put in force by commands on mesh.control, which an agent process obeys only when it runs with',
        '`mesh run --chaos` (WorkerOptions.chaos: true); otherwise it refuses and logs "chaos command refused". Each run',
        'ends with a ledger (published, processed, degraded, dead-lettered, lost, duplicate effects) and a verdict line:',
        'exit 0 on PASS, 1 on FAIL, 2 for an unknown scenario.',
      ].join('\n'),
    )
    .action(async (name: string, flags: ChaosFlags) => {
      if (name === 'ls') {
        process.stdout.write(renderScenarioList(flags.json));
        return;
      }
      const scenario = findScenario(name);
      if (!scenario) {
        // One line and exit 2, as commander does for a bad argument (without its help hint).
        process.stderr.write(`mesh: unknown chaos scenario '${name}' (mesh chaos ls lists them)\n`);
        process.exitCode = 2;
        return;
      }
      if (scenario.reality === 'harness only') throw new UsageError(`scenario ${name} cannot run against a running mesh: ${scenario.harness ?? 'it needs its own harness'}`);
      if (scenario.reality === 'real, in a harness') return runInHarness(name, flags);
      if (!flags.agent) throw new UsageError('--agent is required');
      if (!flags.topic) throw new UsageError('--topic is required: a topic the agent consumes');
      if (flags.value === undefined) throw new UsageError("--value is required: a value of the topic's contract, as JSON");
      const value = parseJsonValue(flags.value);
      const brokers = flags.brokers ?? parseBrokerList(endpoint('KAFKA_BROKERS'));
      const kafka = kafkaClient(brokers, 'mesh-chaos');
      const admin = kafka.admin();
      try {
        await admin.connect();
        if (!(await admin.listTopics()).includes(flags.topic)) throw new UsageError(`topic '${flags.topic}' does not exist`);
        const report = await runScenario({
          scenario,
          agent: flags.agent,
          topic: flags.topic,
          value,
          count: flags.count,
          durationMs: flags.duration ?? scenario.defaultDurationMs,
          delayMs: flags.delay,
          answerWaitMs: flags.answerWait,
          settleTimeoutMs: flags.settleTimeout,
          kafka,
          admin,
          registryUrl: flags.jsonValues ? undefined : (flags.registry ?? endpoint('SCHEMA_REGISTRY_URL')),
          progress: (line) => {
            if (!flags.json) process.stderr.write(`${line}\n`);
          },
        });
        process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : renderReport(report));
        process.exitCode = report.verdict.pass ? 0 : 1;
      } catch (error) {
        if (error instanceof UsageError) throw error;
        throw new Error(`chaos ${name} failed: ${kafkaErrorMessage(error)}`);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    });
}

/** A scenario whose processes a harness module starts and kills itself. */
async function runInHarness(name: string, flags: ChaosFlags): Promise<void> {
  if (!flags.harness) throw new UsageError(`scenario ${name} needs --harness <module>: ${findScenario(name)?.harness ?? ''}`);
  const harness = loadHarness(flags.harness);
  const interrupted = new AbortController();
  const onSignal = () => interrupted.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await runHarnessScenario(harness, flags.harness, name, {
      seed: flags.seed,
      count: flags.count,
      print: (text) => {
        if (!flags.json) process.stderr.write(text);
      },
      signal: interrupted.signal,
    });
    const report = { scenario: name, harness: flags.harness, ledger: result.ledger, verdict: { pass: result.pass, reason: result.reason } };
    process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : renderHarnessReport(report));
    process.exitCode = result.pass ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
