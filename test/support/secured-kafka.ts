import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningBroker, RunningListener } from '@agentmesh/broker';
import { makeTestCertificates, type TestCertificates } from '../broker/support/test-certificates';
import { startTestBroker } from './kafka';

/** The embedded broker with a PLAINTEXT and a SASL_SSL listener, its CA made for this run, and files as Kubernetes mounts them. */
export interface SecuredKafka {
  broker: RunningBroker;
  certs: TestCertificates;
  /** host:port of each listener. */
  plaintext: string;
  saslSsl: string;
  user: string;
  password: string;
  /** A directory of files holding secrets (the password, with the trailing newline `echo` leaves). */
  secretsDir: string;
  passwordFile: string;
  /** The variables a client needs for SASL_SSL with SCRAM-SHA-512, the password and CA from files. */
  clientEnv(): Record<string, string>;
  stop(): Promise<void>;
}

/** The connection variables a run of the suite may have set (KAFKA_BROKERS of the run's Kafka, a profile): unset for the child. */
export const CONNECTION_ENV_UNSET: NodeJS.ProcessEnv = Object.fromEntries(
  Object.keys(process.env)
    .filter((name) => /^(KAFKA_|SCHEMA_REGISTRY_|REDIS_URL|OTEL_EXPORTER_OTLP_|MESH_PROFILE)/.test(name))
    .map((name) => [name, undefined]),
);

export async function startSecuredKafka(options: { user?: string; password?: string } = {}): Promise<SecuredKafka> {
  const certs = makeTestCertificates();
  const user = options.user ?? 'agent';
  const password = options.password ?? 'scram-password-for-tests';
  const broker = await startTestBroker({
    listeners: 'PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    tls: { certFile: certs.certFile, keyFile: certs.keyFile },
    sasl: { users: [{ name: user, password }] },
    logLevel: 'silent',
  });
  const address = (name: RunningListener['name']) => broker.listeners.find((l) => l.name === name)!.address;
  const secretsDir = mkdtempSync(join(tmpdir(), 'mesh-secrets-'));
  const passwordFile = join(secretsDir, 'kafka-password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  const saslSsl = address('SASL_SSL');
  return {
    broker,
    certs,
    plaintext: address('PLAINTEXT'),
    saslSsl,
    user,
    password,
    secretsDir,
    passwordFile,
    clientEnv: () => ({
      KAFKA_BROKERS: saslSsl,
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: user,
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
      KAFKA_SSL_CA_FILE: certs.caFile,
    }),
    stop: async () => {
      await broker.stop();
      certs.remove();
      rmSync(secretsDir, { recursive: true, force: true });
    },
  };
}
