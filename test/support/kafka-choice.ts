/**
 * Which Kafka the end-to-end suites run on, decided from the environment alone (no I/O), so the
 * jest global setup and every suite read it the same way:
 * - `KAFKA_BROKERS=host:port,...`: an external cluster (Apache Kafka); `SCHEMA_REGISTRY_URL` names
 *   its registry, else the global setup starts one embedded registry on that cluster for the run.
 * - `MESH_TEST_KAFKA=container`: Apache Kafka in Docker through testcontainers, started once per run
 *   by the global setup (which then sets KAFKA_BROKERS for the suites).
 * - `MESH_TEST_KAFKA=embedded` or nothing: the embedded broker, one per suite, in the suite's process.
 */

export type KafkaChoice =
  | { readonly kind: 'embedded'; readonly why: 'default' | 'asked' }
  | { readonly kind: 'external'; readonly brokers: readonly string[]; readonly registryUrl: string | undefined }
  | { readonly kind: 'container' };

/** The environment variables the choice reads. */
export interface KafkaChoiceEnv {
  readonly KAFKA_BROKERS?: string;
  readonly SCHEMA_REGISTRY_URL?: string;
  readonly MESH_TEST_KAFKA?: string;
}

/** A test environment that names a Kafka wrongly; its message is one line saying what to fix. */
export class TestKafkaConfigError extends Error {
  override readonly name = 'TestKafkaConfigError';
}

const HOST_PORT = /^[^\s:,]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

/** `a:9092,b:9092` as a list; throws TestKafkaConfigError on an entry that is not host:port. */
export function parseTestBrokers(text: string): string[] {
  const brokers = text
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (brokers.length === 0) throw new TestKafkaConfigError(`KAFKA_BROKERS is set but names no broker ('${text}'); unset it for the embedded broker`);
  for (const broker of brokers) {
    const port = Number(broker.slice(broker.lastIndexOf(':') + 1));
    if (!HOST_PORT.test(broker) || port < 1 || port > 65_535) throw new TestKafkaConfigError(`KAFKA_BROKERS: '${broker}' is not host:port`);
  }
  return brokers;
}

export function chooseTestKafka(env: KafkaChoiceEnv): KafkaChoice {
  const asked = env.MESH_TEST_KAFKA?.trim() ?? '';
  if (asked !== '' && asked !== 'container' && asked !== 'embedded') {
    throw new TestKafkaConfigError(`MESH_TEST_KAFKA is '${asked}'; it takes 'container' (Apache Kafka in Docker) or 'embedded'`);
  }
  if (asked === 'embedded') return { kind: 'embedded', why: 'asked' };
  const brokers = env.KAFKA_BROKERS?.trim() ?? '';
  if (brokers !== '') {
    const registryUrl = env.SCHEMA_REGISTRY_URL?.trim() || undefined;
    if (registryUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(registryUrl)) throw new TestKafkaConfigError(`SCHEMA_REGISTRY_URL: '${registryUrl}' is not an http(s) URL`);
    return { kind: 'external', brokers: parseTestBrokers(brokers), registryUrl };
  }
  return asked === 'container' ? { kind: 'container' } : { kind: 'embedded', why: 'default' };
}

/**
 * How the global setup hands its choice to the suites: variables of the tests' own, never the mesh's
 * KAFKA_BROKERS and SCHEMA_REGISTRY_URL, which it takes out of the environment so the `mesh` processes a
 * suite starts read only the flags the suite gives them, as on the embedded broker.
 */
export const HANDED = { brokers: 'MESH_TEST_BROKERS', registryUrl: 'MESH_TEST_REGISTRY_URL' } as const;

export type SuiteKafka = { readonly kind: 'embedded' } | { readonly kind: 'external'; readonly brokers: readonly string[]; readonly registryUrl: string | undefined };

/** A suite's Kafka: what the global setup handed over (an empty broker list: the embedded broker), else chosen here. */
export function suiteKafka(env: KafkaChoiceEnv & Readonly<Record<string, string | undefined>>): SuiteKafka {
  const handed = env[HANDED.brokers];
  if (handed !== undefined) return handed === '' ? { kind: 'embedded' } : { kind: 'external', brokers: parseTestBrokers(handed), registryUrl: env[HANDED.registryUrl] || undefined };
  // A suite run without the global setup: a container was never started, so 'container' means embedded.
  const choice = chooseTestKafka(env);
  return choice.kind === 'external' ? choice : { kind: 'embedded' };
}

/** The one line a run prints about its Kafka (the global setup's; the container outcome is its own). */
export function describeKafkaChoice(choice: KafkaChoice): string {
  switch (choice.kind) {
    case 'external':
      return `e2e suites on the Kafka at ${choice.brokers.join(',')} (KAFKA_BROKERS), registry ${choice.registryUrl ?? 'embedded, one for the run on that Kafka'}`;
    case 'container':
      return 'e2e suites on Apache Kafka in Docker (MESH_TEST_KAFKA=container)';
    case 'embedded':
      return choice.why === 'asked'
        ? 'e2e suites on the embedded broker (MESH_TEST_KAFKA=embedded)'
        : 'e2e suites on the embedded broker: no KAFKA_BROKERS, and MESH_TEST_KAFKA=container (Docker) not asked';
  }
}
