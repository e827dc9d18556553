import { mkdtempSync, rmSync, statSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { consumeAll, kafkaFor, uniqueName } from '../support/kafka';
import { runMesh, startAgentProcess, type AgentProcess, type FinishedCommand } from '../support/mesh-cli';
import { CONNECTION_ENV_UNSET, startSecuredKafka, type SecuredKafka } from '../support/secured-kafka';

// An operator's view of a secured cluster: `mesh run` and `mesh` commands connect to the embedded broker over
// SASL_SSL (SCRAM-SHA-512, a CA made for this run) with the password and CA from files, as Kubernetes mounts
// Secrets, or from a CLI profile; each usual mistake is one line, quickly.

let kafka: SecuredKafka;
let plainClient: Kafka;
let configHome: string;
const AGENT = 'relay-secure';
const FIXTURE = join(__dirname, 'fixtures/chaos-agent.js');
/** A failure must come back within this, not after a retry storm or a hang. */
const FAST_MS = 20_000;

/** The child's environment: none of the run's own connection variables, a private config dir, then `env`. */
const envOf = (env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...CONNECTION_ENV_UNSET, XDG_CONFIG_HOME: configHome, ...env });
const mesh = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<FinishedCommand> => runMesh(args, envOf(env), 45_000);

/** Runs a command expected to fail: exit 1, one line on stderr, within FAST_MS. */
async function failsInOneLine(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const started = Date.now();
  const result = await mesh(args, env);
  expect(Date.now() - started).toBeLessThan(FAST_MS);
  expect(result.code).toBe(1);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  return result.stderr.trim();
}

beforeAll(async () => {
  kafka = await startSecuredKafka({ password: 'Zq7-distinctive-scram-secret' });
  plainClient = kafkaFor({ address: kafka.plaintext });
  configHome = mkdtempSync(join(tmpdir(), 'mesh-config-'));
}, 60_000);

afterAll(async () => {
  await kafka?.stop();
  if (configHome) rmSync(configHome, { recursive: true, force: true });
});

async function relayed(input: string, output: string, value: unknown, env: NodeJS.ProcessEnv, extraArgs: string[] = []): Promise<void> {
  const published = await mesh(['publish', input, '--json', '--value', JSON.stringify(value), ...extraArgs], env);
  expect(published).toMatchObject({ code: 0 });
  const consumer = plainClient.consumer({ groupId: uniqueName('secure-check'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    const [got] = await consumeAll(consumer, output, 1);
    expect(JSON.parse(got!.value!.toString())).toEqual(value);
  } finally {
    await consumer.disconnect();
  }
}

describe('connecting over SASL_SSL', () => {
  let agent: AgentProcess | undefined;
  afterEach(() => {
    agent?.child.kill('SIGKILL');
    agent = undefined;
  });

  it('runs an agent and the CLI with the password and CA from files', async () => {
    const input = uniqueName('secure-in');
    const output = uniqueName('secure-out');
    const created = await mesh(['topics', 'create', input, '--partitions', '1'], kafka.clientEnv());
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const name = uniqueName(AGENT);
    agent = await startAgentProcess({
      module: FIXTURE,
      brokers: kafka.saslSsl,
      redisUrl: 'redis://127.0.0.1:6379',
      env: envOf({ ...kafka.clientEnv(), AGENT_NAME: name, AGENT_IN: input, AGENT_OUT: output }),
    });
    await relayed(input, output, { n: 1 }, kafka.clientEnv());
    const listed = await mesh(['topics', 'ls'], kafka.clientEnv());
    expect(listed.stdout).toContain(input);
    expect(listed.stdout).toContain(output);
    // Neither the agent nor a command printed the password.
    expect(agent.output()).not.toContain(kafka.password);
    expect(listed.stdout + listed.stderr).not.toContain(kafka.password);
  });

  it('takes the settings from a profile (--profile, MESH_PROFILE, mesh profile use), kept 0600, shown without secrets', async () => {
    const settings = Object.entries({ ...kafka.clientEnv(), KAFKA_SASL_PASSWORD_FILE: undefined, KAFKA_SASL_PASSWORD: kafka.password })
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`);
    const added = await mesh(['profile', 'add', 'secure', ...settings]);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const file = join(configHome, 'agentmesh/profiles.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('secure');

    const shown = await mesh(['profile', 'show', 'secure']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('KAFKA_SASL_PASSWORD=***');
    expect(shown.stdout).toContain(`KAFKA_SASL_USERNAME=${kafka.user}`);
    expect(shown.stdout).not.toContain(kafka.password);

    const topic = uniqueName('by-profile');
    expect(await mesh(['topics', 'create', topic, '--partitions', '1', '--profile', 'secure'])).toMatchObject({ code: 0 });
    expect((await mesh(['topics', 'ls'], { MESH_PROFILE: 'secure' })).stdout).toContain(topic);
    // Without a profile the default (plaintext, 127.0.0.1:9092) applies: pointed at our SASL_SSL port it fails.
    expect((await mesh(['topics', 'ls', '--brokers', kafka.saslSsl])).code).toBe(1);
    expect(await mesh(['profile', 'use', 'secure'])).toMatchObject({ code: 0 });
    expect((await mesh(['profile', 'ls'])).stdout).toBe('* secure\n');
    expect((await mesh(['topics', 'ls'])).stdout).toContain(topic);
    // A flag wins over the profile: the profile's SASL_SSL against the plaintext port is the TLS mismatch, said as such.
    const mismatch = await failsInOneLine(['topics', 'ls', '--brokers', kafka.plaintext], {});
    expect(mismatch).toContain(kafka.plaintext);
    expect(mismatch).toMatch(/TLS handshake failed: KAFKA_SECURITY_PROTOCOL is SASL_SSL/);

    // An agent started by the profile alone.
    const input = uniqueName('profile-in');
    const output = uniqueName('profile-out');
    expect(await mesh(['topics', 'create', input, '--partitions', '1'])).toMatchObject({ code: 0 });
    agent = await startAgentProcess({
      module: FIXTURE,
      brokers: kafka.saslSsl,
      redisUrl: 'redis://127.0.0.1:6379',
      args: ['--profile', 'secure'],
      env: envOf({ AGENT_NAME: uniqueName(AGENT), AGENT_IN: input, AGENT_OUT: output }),
    });
    await relayed(input, output, { n: 2 }, {});
    expect(agent.output()).not.toContain(kafka.password);

    // A profile file others can read is refused, in one line.
    chmodSync(file, 0o644);
    try {
      expect(await failsInOneLine(['topics', 'ls'], {})).toBe(`mesh: ${file} is readable or writable by others (mode 0644); it may hold passwords: run chmod 600 ${file}`);
    } finally {
      chmodSync(file, 0o600);
    }
    expect(await mesh(['profile', 'rm', 'secure'])).toMatchObject({ code: 0 });
    expect((await mesh(['profile', 'ls'])).stdout).toBe('');

    // --from-env takes the connection variables of the environment: here the password as a file path, shown as it is.
    expect(await mesh(['profile', 'add', 'from-env', '--from-env'], kafka.clientEnv())).toMatchObject({ code: 0 });
    const fromEnv = await mesh(['profile', 'show', 'from-env']);
    expect(fromEnv.stdout).toContain(`KAFKA_SASL_PASSWORD_FILE=${kafka.passwordFile}`);
    expect(fromEnv.stdout).toContain(`KAFKA_BROKERS=${kafka.saslSsl}`);
    expect(await mesh(['profile', 'rm', 'from-env'])).toMatchObject({ code: 0 });
  });
});

describe('connection mistakes, each one line within seconds', () => {
  it('a wrong password stops `mesh run` naming the mechanism and the broker', async () => {
    const started = Date.now();
    const result = await runMesh(
      ['run', FIXTURE, '--json', '--redis', 'redis://127.0.0.1:6379'],
      envOf({ ...kafka.clientEnv(), KAFKA_SASL_PASSWORD_FILE: undefined, KAFKA_SASL_PASSWORD: 'wrong-Zq7', AGENT_NAME: uniqueName(AGENT), AGENT_IN: 'in', AGENT_OUT: 'out' }),
      30_000,
    );
    expect(Date.now() - started).toBeLessThan(FAST_MS);
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`Kafka at ${kafka.saslSsl} over SASL_SSL (SCRAM-SHA-512 as ${kafka.user})`);
    expect(result.stderr).toMatch(/refused user agent: check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/);
    expect(result.stderr + result.stdout).not.toContain('wrong-Zq7');
  });

  it('a wrong password stops a command', async () => {
    const line = await failsInOneLine(['topics', 'ls'], { ...kafka.clientEnv(), KAFKA_SASL_PASSWORD_FILE: undefined, KAFKA_SASL_PASSWORD: 'wrong-Zq7' });
    expect(line).toMatch(/SCRAM-SHA-512/);
    expect(line).not.toContain('wrong-Zq7');
  });

  it('TLS to the plaintext port, and plaintext to the TLS port', async () => {
    const tlsToPlain = await failsInOneLine(['topics', 'ls'], { ...kafka.clientEnv(), KAFKA_BROKERS: kafka.plaintext });
    expect(tlsToPlain).toMatch(/TLS handshake failed/);
    const plainToTls = await failsInOneLine(['topics', 'ls'], { KAFKA_BROKERS: kafka.saslSsl });
    expect(plainToTls).toMatch(/KAFKA_SECURITY_PROTOCOL is PLAINTEXT: if the port is a TLS or SASL listener/);
  });

  it('an untrusted certificate, an unknown mechanism, a missing credentials file', async () => {
    expect(await failsInOneLine(['topics', 'ls'], { ...kafka.clientEnv(), KAFKA_SSL_CA_FILE: kafka.certs.otherCaFile })).toMatch(/certificate is not trusted: check KAFKA_SSL_CA_FILE/);
    expect(await failsInOneLine(['topics', 'ls'], { ...kafka.clientEnv(), KAFKA_SASL_MECHANISM: 'GSSAPI' })).toBe(
      "mesh: KAFKA_SASL_MECHANISM: 'GSSAPI' is not supported (one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)",
    );
    const missing = join(kafka.secretsDir, 'no-such-file');
    expect(await failsInOneLine(['run', FIXTURE, '--json'], { ...kafka.clientEnv(), KAFKA_SASL_PASSWORD_FILE: missing })).toBe(`mesh: KAFKA_SASL_PASSWORD_FILE: ${missing} does not exist`);
  });
});
