import { ConnectionConfigError } from './errors';
import { kafkaSecurityConfig, describeKafkaSecurity } from './kafka-config';
import { parseConnectionSettings, parseOtlpHeaders, type Environment } from './parse';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const FILES: Record<string, string> = {
  '/secrets/ca.pem': PEM,
  '/secrets/client.pem': PEM,
  '/secrets/client.key': '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n',
  '/secrets/password': 's3cret-from-file\n',
  '/secrets/empty': '',
  '/secrets/not-pem': 'hello',
};
const readFile = (path: string): string => {
  const text = FILES[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return text;
};
const parse = (env: Environment) => parseConnectionSettings(env, readFile);
/** The one line a bad setting gives. */
const problem = (env: Environment): string => {
  try {
    parse(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectionConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a ConnectionConfigError');
};

const SCRAM = { KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'agent', KAFKA_SASL_PASSWORD: 'pw' };

describe('parseConnectionSettings', () => {
  it('is plaintext with nothing set, and leaves unset endpoints to the caller', () => {
    expect(parse({})).toEqual({ kafka: { securityProtocol: 'PLAINTEXT' }, registry: {}, otlp: { headers: {} } });
  });

  it('reads brokers, and names a bad one', () => {
    expect(parse({ KAFKA_BROKERS: 'a:9092, b:9093' }).kafka.brokers).toEqual(['a:9092', 'b:9093']);
    expect(problem({ KAFKA_BROKERS: 'a:9092,b' })).toBe("KAFKA_BROKERS: 'b' is not a host:port broker list");
  });

  it('infers SASL_SSL from a mechanism and SSL from a CA file', () => {
    expect(parse(SCRAM).kafka).toEqual({ securityProtocol: 'SASL_SSL', tls: { rejectUnauthorized: true }, sasl: { mechanism: 'SCRAM-SHA-512', username: 'agent', password: 'pw' } });
    expect(parse({ KAFKA_SSL_CA_FILE: '/secrets/ca.pem' }).kafka).toEqual({ securityProtocol: 'SSL', tls: { rejectUnauthorized: true, ca: PEM } });
  });

  it('reads a secret from its _FILE companion, without the trailing newline, and refuses both', () => {
    const env = { ...SCRAM, KAFKA_SASL_PASSWORD: undefined, KAFKA_SASL_PASSWORD_FILE: '/secrets/password' };
    expect(parse(env).kafka.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'agent', password: 's3cret-from-file' });
    expect(problem({ ...SCRAM, KAFKA_SASL_PASSWORD_FILE: '/secrets/password' })).toBe('set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both');
  });

  it('names a missing, empty or non-PEM file', () => {
    expect(problem({ ...SCRAM, KAFKA_SASL_PASSWORD: undefined, KAFKA_SASL_PASSWORD_FILE: '/secrets/nope' })).toBe('KAFKA_SASL_PASSWORD_FILE: /secrets/nope does not exist');
    expect(problem({ ...SCRAM, KAFKA_SASL_PASSWORD: undefined, KAFKA_SASL_PASSWORD_FILE: '/secrets/empty' })).toBe('KAFKA_SASL_PASSWORD_FILE: /secrets/empty is empty');
    expect(problem({ KAFKA_SSL_CA_FILE: '/secrets/not-pem' })).toBe('KAFKA_SSL_CA_FILE: /secrets/not-pem is not PEM (no -----BEGIN line)');
    expect(problem({ KAFKA_SSL_CA_FILE: '/secrets/missing.pem' })).toBe('KAFKA_SSL_CA_FILE: /secrets/missing.pem does not exist');
  });

  it('refuses combinations that cannot work, naming the variable', () => {
    expect(problem({ KAFKA_SECURITY_PROTOCOL: 'TLS' })).toBe("KAFKA_SECURITY_PROTOCOL: 'TLS' is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
    expect(problem({ ...SCRAM, KAFKA_SASL_MECHANISM: 'GSSAPI' })).toBe("KAFKA_SASL_MECHANISM: 'GSSAPI' is not supported (one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)");
    expect(problem({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' })).toMatch(/^KAFKA_SECURITY_PROTOCOL is SASL_SSL but KAFKA_SASL_MECHANISM is not set/);
    expect(problem({ ...SCRAM, KAFKA_SECURITY_PROTOCOL: 'SSL' })).toBe('KAFKA_SASL_MECHANISM is set but KAFKA_SECURITY_PROTOCOL is SSL (use SASL_SSL or SASL_PLAINTEXT)');
    expect(problem({ ...SCRAM, KAFKA_SASL_PASSWORD: undefined })).toBe('KAFKA_SASL_MECHANISM SCRAM-SHA-512 needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE');
    expect(problem({ ...SCRAM, KAFKA_SASL_USERNAME: '' })).toBe('KAFKA_SASL_MECHANISM SCRAM-SHA-512 needs KAFKA_SASL_USERNAME');
    expect(problem({ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', ...SCRAM, KAFKA_SSL_CA_FILE: '/secrets/ca.pem' })).toMatch(/^KAFKA_SSL_CA_FILE is set but KAFKA_SECURITY_PROTOCOL is SASL_PLAINTEXT/);
    expect(problem({ KAFKA_SSL_CERT_FILE: '/secrets/client.pem' })).toBe('KAFKA_SSL_CERT_FILE is set without KAFKA_SSL_KEY_FILE (mutual TLS needs both)');
    expect(problem({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_SKIP_VERIFY: 'yes' })).toBe("KAFKA_SSL_SKIP_VERIFY: 'yes' is not true or false");
  });

  it('never quotes a secret in its message', () => {
    expect(problem({ REDIS_URL: 'ftp://u:hunter2@host' })).not.toContain('hunter2');
    expect(problem({ REDIS_URL: 'not a url hunter2' })).not.toContain('hunter2');
    expect(problem({ OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer x,hunter2' })).toBe('OTEL_EXPORTER_OTLP_HEADERS: entry 2 is not key=value');
  });

  it('reads mutual TLS, a key passphrase, a server name and skip-verify', () => {
    const tls = parse({
      KAFKA_SECURITY_PROTOCOL: 'ssl',
      KAFKA_SSL_CERT_FILE: '/secrets/client.pem',
      KAFKA_SSL_KEY_FILE: '/secrets/client.key',
      KAFKA_SSL_KEY_PASSWORD: 'pp',
      KAFKA_SSL_SERVER_NAME: 'kafka.internal',
      KAFKA_SSL_SKIP_VERIFY: 'true',
    }).kafka.tls;
    expect(tls).toEqual({ rejectUnauthorized: false, cert: PEM, key: FILES['/secrets/client.key'], keyPassword: 'pp', serverName: 'kafka.internal' });
    expect(kafkaSecurityConfig({ securityProtocol: 'SSL', tls: tls! }).ssl).toEqual({
      rejectUnauthorized: false,
      cert: PEM,
      key: FILES['/secrets/client.key'],
      passphrase: 'pp',
      servername: 'kafka.internal',
    });
  });

  it('takes OAUTHBEARER from one source: a token, a token file, or a provider module', () => {
    expect(parse({ KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_OAUTHBEARER_TOKEN: 't' }).kafka.sasl).toEqual({ mechanism: 'OAUTHBEARER', source: { kind: 'token', token: 't' } });
    expect(parse({ KAFKA_SASL_MECHANISM: 'OAUTHBEARER', KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: '/secrets/password' }).kafka.sasl).toEqual({
      mechanism: 'OAUTHBEARER',
      source: { kind: 'token-file', path: '/secrets/password' },
    });
    expect(parse({ KAFKA_SASL_MECHANISM: 'OAUTHBEARER', KAFKA_SASL_OAUTHBEARER_PROVIDER: './msk-iam.js' }).kafka.sasl).toEqual({
      mechanism: 'OAUTHBEARER',
      source: { kind: 'provider-module', module: './msk-iam.js' },
    });
    expect(problem({ KAFKA_SASL_MECHANISM: 'OAUTHBEARER' })).toMatch(/^KAFKA_SASL_MECHANISM OAUTHBEARER needs/);
    expect(problem({ KAFKA_SASL_MECHANISM: 'OAUTHBEARER', KAFKA_SASL_OAUTHBEARER_TOKEN: 't', KAFKA_SASL_OAUTHBEARER_PROVIDER: 'm' })).toMatch(/^set one of/);
    expect(problem({ KAFKA_SASL_MECHANISM: 'OAUTHBEARER', KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: '/secrets/gone' })).toBe('KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: /secrets/gone does not exist');
  });

  it('maps the SASL settings to kafkajs and describes them without the password', () => {
    const kafka = parse(SCRAM).kafka;
    expect(kafkaSecurityConfig(kafka).sasl).toEqual({ mechanism: 'scram-sha-512', username: 'agent', password: 'pw' });
    expect(describeKafkaSecurity(kafka)).toBe('SASL_SSL (SCRAM-SHA-512 as agent)');
  });

  it('reads registry basic auth, a bearer token, or credentials in the URL (moved out of it)', () => {
    expect(parse({ SCHEMA_REGISTRY_URL: 'https://sr.example/', SCHEMA_REGISTRY_USERNAME: 'key', SCHEMA_REGISTRY_PASSWORD: 'secret' }).registry).toEqual({
      url: 'https://sr.example',
      auth: { kind: 'basic', username: 'key', password: 'secret' },
    });
    expect(parse({ SCHEMA_REGISTRY_TOKEN: 'tok' }).registry).toEqual({ auth: { kind: 'bearer', token: 'tok' } });
    expect(parse({ SCHEMA_REGISTRY_URL: 'https://u%40x:p%3Aw@sr.example:8081' }).registry).toEqual({ url: 'https://sr.example:8081', auth: { kind: 'basic', username: 'u@x', password: 'p:w' } });
    expect(problem({ SCHEMA_REGISTRY_USERNAME: 'key' })).toBe('SCHEMA_REGISTRY_USERNAME is set without SCHEMA_REGISTRY_PASSWORD');
    expect(problem({ SCHEMA_REGISTRY_TOKEN: 't', SCHEMA_REGISTRY_USERNAME: 'k', SCHEMA_REGISTRY_PASSWORD: 'p' })).toMatch(/^set SCHEMA_REGISTRY_TOKEN or/);
    expect(problem({ SCHEMA_REGISTRY_URL: 'kafka://x' })).toBe('SCHEMA_REGISTRY_URL: kafka: is not http: or https:');
  });

  it('reads a redis:// or rediss:// URL with an ACL user, from a file too', () => {
    expect(parse({ REDIS_URL: 'rediss://agent:pw@redis:6380/0' }).redisUrl).toBe('rediss://agent:pw@redis:6380/0');
    FILES['/secrets/redis-url'] = 'rediss://agent:pw@redis:6380\n';
    expect(parse({ REDIS_URL_FILE: '/secrets/redis-url' }).redisUrl).toBe('rediss://agent:pw@redis:6380');
    expect(problem({ REDIS_URL: 'http://redis:6379' })).toBe('REDIS_URL: http: is not redis: or rediss:');
  });

  it('reads OTLP headers as the OTel spec writes them', () => {
    expect(parseOtlpHeaders('Authorization=Bearer%20abc, x-tenant = acme')).toEqual({ authorization: 'Bearer abc', 'x-tenant': 'acme' });
    expect(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example/', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=k' }).otlp).toEqual({ endpoint: 'https://otlp.example', headers: { 'api-key': 'k' } });
  });
});
