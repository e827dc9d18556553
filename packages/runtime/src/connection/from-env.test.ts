import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentConnectionOptions } from './agent-options';
import { ConnectionConfigError } from './errors';
import { connectionSettingsFromEnv, kafkaSecurityFromSettings, oauthBearerProviderFor } from './from-env';

// The thin reader over real files: a token file read again at every authentication, a provider module loaded.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'connection-from-env-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the OAUTHBEARER hook', () => {
  it('reads a token file at each authentication, so a rotated token is used', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'first\n');
    const provider = oauthBearerProviderFor({ kind: 'token-file', path: file });
    await expect(provider()).resolves.toEqual({ value: 'first' });
    writeFileSync(file, 'second\n');
    await expect(provider()).resolves.toEqual({ value: 'second' });
  });

  it('loads a provider module (an AWS MSK IAM signer, say) and hands it to kafkajs', async () => {
    const module = join(dir, 'provider.js');
    writeFileSync(module, "module.exports = async () => ({ value: 'signed-token' });\n");
    const settings = connectionSettingsFromEnv({ KAFKA_SASL_MECHANISM: 'OAUTHBEARER', KAFKA_SASL_OAUTHBEARER_PROVIDER: module });
    const sasl = kafkaSecurityFromSettings(settings.kafka).sasl as { mechanism: string; oauthBearerProvider: () => Promise<{ value: string }> };
    expect(sasl.mechanism).toBe('oauthbearer');
    await expect(sasl.oauthBearerProvider()).resolves.toEqual({ value: 'signed-token' });
  });

  it('names a provider module that cannot be loaded or exports no function, in one line', () => {
    const notAFunction = join(dir, 'nothing.js');
    writeFileSync(notAFunction, 'module.exports = { token: 1 };\n');
    expect(() => oauthBearerProviderFor({ kind: 'provider-module', module: notAFunction })).toThrow(
      new ConnectionConfigError(`KAFKA_SASL_OAUTHBEARER_PROVIDER: ${notAFunction} exports no function (default or oauthBearerProvider)`),
    );
    expect(() => oauthBearerProviderFor({ kind: 'provider-module', module: join(dir, 'missing.js') })).toThrow(/^KAFKA_SASL_OAUTHBEARER_PROVIDER: cannot load .*missing\.js: Cannot find module/);
  });
});

describe('agentConnectionOptions', () => {
  it('gives runAgent the brokers, TLS and SASL, the registry with its credentials and Redis of the environment', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    const settings = connectionSettingsFromEnv({
      KAFKA_BROKERS: 'k:9093',
      KAFKA_SASL_MECHANISM: 'PLAIN',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
      KAFKA_SSL_CA_FILE: ca,
      SCHEMA_REGISTRY_URL: 'https://sr',
      SCHEMA_REGISTRY_TOKEN: 't',
      REDIS_URL: 'rediss://r:6380',
    });
    expect(agentConnectionOptions(settings)).toEqual({
      brokers: ['k:9093'],
      kafka: { ssl: { rejectUnauthorized: true, ca: [readFileSync(ca, 'utf8')] }, sasl: { mechanism: 'plain', username: 'u', password: 'p' } },
      registryUrl: 'https://sr',
      registryAuth: { kind: 'bearer', token: 't' },
      redisUrl: 'rediss://r:6380',
    });
    expect(agentConnectionOptions(connectionSettingsFromEnv({}))).toEqual({ brokers: ['127.0.0.1:9092'], kafka: {} });
  });
});
