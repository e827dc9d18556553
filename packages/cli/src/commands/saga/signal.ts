import { ACTIVE_STATUSES, parseSignalValue, signalSaga, type SagaState, type SignalRequest } from '@agentmesh/coordinator';
import { InvalidInputError, JsonCodec, RegistryCodec, SchemaNotFoundError, SchemaRegistryUnavailableError, type EventCodec } from '@agentmesh/runtime';
import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import { endpoint } from '../../defaults';
import { kafkaClient, kafkaErrorMessage } from '../../kafka';
import { parseBrokerList, parseDuration, parseHttpUrl, UsageError } from '../../options';
import { SagaCommandError, withStore, withStoreOptions, type StoreFlags } from './common';
import { currentStep, formatDuration } from './format';
import { registryCredentials } from '../../connection/settings';

interface SignalFlags extends StoreFlags {
  approve?: boolean;
  reject?: boolean;
  value?: Record<string, unknown>;
  reason?: string;
  id?: string;
  brokers?: string[];
  registry?: string;
  jsonValues: boolean;
  wait: boolean;
  timeout: number;
}

/** What became of a signal, as the saga's state shows it. */
export type SignalProgress = { phase: 'pending' } | { phase: 'gone' } | { phase: 'applied' | 'ignored'; detail: string; state: SagaState };

/** Whether the saga takes signals at all (it does while the coordinator still acts on it by itself). */
const takesSignals = (state: SagaState): boolean => ACTIVE_STATUSES.includes(state.status);

/** Reads the saga's state for the signal `id`: looked at by its owner (applied or ignored, with why) or not yet. */
export function signalProgress(state: SagaState | undefined, id: string): SignalProgress {
  if (!state) return { phase: 'gone' };
  if (!state.seenSignals?.includes(id)) return takesSignals(state) ? { phase: 'pending' } : { phase: 'ignored', detail: `the saga is ${state.status}: it takes no signals`, state };
  const entry = [...state.timeline].reverse().find((e) => (e.type === 'SIGNAL_APPLIED' || e.type === 'SIGNAL_IGNORED') && e.detail?.includes(id));
  const applied = entry?.type === 'SIGNAL_APPLIED';
  return { phase: applied ? 'applied' : 'ignored', detail: entry?.detail ?? 'seen (its timeline entry was trimmed)', state };
}

/** Commander parser of --value: a JSON object, said in one line otherwise. */
export function parseValueFlag(text: string): Record<string, unknown> {
  try {
    return parseSignalValue(text);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof InvalidInputError ? error.message : String(error));
  }
}

/** The request the flags ask for; exactly one of --approve and --reject. */
export function signalRequestOf(sagaId: string, step: string, flags: Pick<SignalFlags, 'approve' | 'reject' | 'value' | 'reason' | 'id'>): SignalRequest {
  if (flags.approve === flags.reject) throw new UsageError('say --approve or --reject (exactly one)');
  return {
    sagaId,
    step,
    decision: flags.approve ? 'approve' : 'reject',
    ...(flags.value !== undefined ? { value: flags.value } : {}),
    ...(flags.reason !== undefined ? { reason: flags.reason } : {}),
    ...(flags.id !== undefined ? { signalId: flags.id } : {}),
  };
}

async function publish(flags: SignalFlags, request: SignalRequest): Promise<string> {
  const codec: EventCodec = flags.jsonValues
    ? new JsonCodec()
    : new RegistryCodec({ ...registryCredentials(), url: flags.registry ?? endpoint('SCHEMA_REGISTRY_URL'), retries: 1, requestTimeoutMs: 5_000 });
  const brokers = flags.brokers ?? parseBrokerList(endpoint('KAFKA_BROKERS'));
  const producer = kafkaClient(brokers, 'mesh-saga-signal').producer({ idempotent: true });
  try {
    await producer.connect();
    return await signalSaga(producer, codec, request);
  } catch (error) {
    if (error instanceof SchemaNotFoundError) throw new UsageError(`${error.message}; register the mesh's contracts (mesh dev does), or use --json-values with a JSON mesh`);
    if (error instanceof SchemaRegistryUnavailableError) throw new UsageError(`${error.message} (set it with --registry or SCHEMA_REGISTRY_URL, or use --json-values)`);
    if (error instanceof Error && error.name.startsWith('Kafka')) throw new UsageError(`Kafka at ${brokers.join(',')}: ${kafkaErrorMessage(error)} (set it with --brokers or KAFKA_BROKERS)`);
    throw error;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

const POLL_MS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `mesh saga signal <id> <step> --approve|--reject`: ends a saga's wait step from outside. */
export function registerSagaSignalCommand(saga: Command): void {
  withStoreOptions(
    saga
      .command('signal')
      .description("approve or reject a saga's wait step: publishes a signal on saga.signals; the saga's coordinator applies it if the saga waits on that step")
      .addArgument(new Argument('<id>', 'the saga id (from `mesh saga ls --state waiting`)'))
      .addArgument(new Argument('<step>', 'the wait step'))
      .addOption(new Option('--approve', 'the step succeeds and the saga goes on').conflicts('reject'))
      .option('--reject', 'the step fails for good and the saga compensates')
      .option('--value <json>', 'a JSON object merged into the saga\'s data (e.g. \'{"approvedBy":"ann"}\')', parseValueFlag)
      .option('--reason <text>', "why, kept in the saga's timeline")
      .option('--id <signal-id>', 'the signal id (default: derived from saga, step and decision, so sending the same decision again is one signal)')
      .option('--brokers <list>', 'Kafka brokers (default: $KAFKA_BROKERS or 127.0.0.1:9092)', parseBrokerList)
      .addOption(new Option('--registry <url>', 'schema registry (default: $SCHEMA_REGISTRY_URL or http://127.0.0.1:8081)').argParser(parseHttpUrl).conflicts('jsonValues'))
      .option('--json-values', 'the mesh runs without a registry (mesh coordinator --json): the signal is plain JSON', false)
      .option('--wait', 'then wait, up to --timeout, for the coordinator to apply or ignore the signal (reads the saga store)', false)
      .addOption(new Option('--timeout <duration>', 'how long --wait waits (30s, 2m)').argParser(parseDuration).default(30_000, '30s'))
      .addHelpText('after', '\nExit status: 0 when the signal is published (with --wait: and applied); 1 when it could not be, or (with --wait) was ignored or not looked at in time.'),
  ).action(async (id: string, step: string, flags: SignalFlags) => {
    const request = signalRequestOf(id, step, flags);
    const signalId = await publish(flags, request);
    process.stdout.write(`signal ${signalId} (${request.decision} ${step}) published for saga ${id}\n`);
    if (!flags.wait) return;
    await withStore(flags, async (store) => {
      const started = Date.now();
      for (;;) {
        const progress = signalProgress(await store.load(id), signalId);
        if (progress.phase === 'gone') throw new SagaCommandError(`no saga with id '${id}'${flags.keyPrefix ? ` under key prefix '${flags.keyPrefix}'` : ''}`);
        if (progress.phase === 'applied') {
          process.stdout.write(`applied: ${progress.detail}; saga ${id} is ${progress.state.status} (${currentStep(progress.state)})\n`);
          return;
        }
        if (progress.phase === 'ignored') throw new SagaCommandError(`saga ${id} ignored the signal: ${progress.detail}`);
        if (Date.now() - started >= flags.timeout) {
          throw new SagaCommandError(
            `no coordinator looked at the signal within ${formatDuration(flags.timeout)}: is \`mesh coordinator\` running (same brokers, --redis and --key-prefix)? The signal stays in saga.signals; a coordinator reads it when it starts`,
          );
        }
        await sleep(POLL_MS);
      }
    });
  });
}
