import { ConnectionConfigError } from './errors';
import {
  SASL_MECHANISM_NAMES,
  SECURITY_PROTOCOLS,
  type ConnectionSettings,
  type KafkaConnectionSettings,
  type KafkaSaslSettings,
  type KafkaTlsSettings,
  type OAuthBearerSource,
  type RegistryConnectionSettings,
  type SaslMechanismName,
  type SecurityProtocol,
} from './settings';
import { fileVariable, isSecretVariable } from './variables';

export type Environment = Readonly<Record<string, string | undefined>>;

/** Reads a whole file as UTF-8; throws a Node error (ENOENT, EACCES) when it cannot. */
export type ReadTextFile = (path: string) => string;

/** Why a file could not be read, in a few words (the path is named by the caller). */
function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES') return 'cannot be read (permission denied)';
  if (code === 'EISDIR') return 'is a directory';
  return 'cannot be read';
}

/** The environment's settings, each from its variable or its `_FILE` companion (never both). */
class SettingReader {
  constructor(
    private readonly env: Environment,
    private readonly readFile: ReadTextFile,
  ) {}

  /** The value, or undefined when neither the variable nor its file is set (empty counts as unset). */
  get(name: string): string | undefined {
    const direct = nonEmpty(this.env[name]);
    const path = nonEmpty(this.env[fileVariable(name)]);
    if (direct !== undefined && path !== undefined) throw new ConnectionConfigError(`set ${name} or ${fileVariable(name)}, not both`);
    if (path !== undefined) {
      const text = this.file(fileVariable(name), path);
      // `echo secret > file` leaves a newline that is not part of the secret.
      const value = text.replace(/\r?\n$/, '');
      if (value === '') throw new ConnectionConfigError(`${fileVariable(name)}: ${path} is empty`);
      return isSecretVariable(name) ? value : value.trim();
    }
    if (direct === undefined) return undefined;
    return isSecretVariable(name) ? direct : direct.trim();
  }

  /** Whether the variable or its file is set. */
  has(name: string): boolean {
    return nonEmpty(this.env[name]) !== undefined || nonEmpty(this.env[fileVariable(name)]) !== undefined;
  }

  /** The text of the file a `*_FILE` variable names. */
  file(variable: string, path: string): string {
    try {
      return this.readFile(path);
    } catch (error) {
      throw new ConnectionConfigError(`${variable}: ${path} ${fileProblem(error)}`);
    }
  }

  /** PEM text from the file a path variable names. */
  pem(variable: string): string | undefined {
    const path = this.get(variable);
    if (path === undefined) return undefined;
    const text = this.file(variable, path);
    if (!text.includes('-----BEGIN ')) throw new ConnectionConfigError(`${variable}: ${path} is not PEM (no -----BEGIN line)`);
    return text;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

const oneOf = <T extends string>(values: readonly T[], value: string): value is T => (values as readonly string[]).includes(value);

/** `host:port[,host:port...]`; throws naming the entry that is not one. */
export function parseBrokers(variable: string, text: string): string[] {
  const brokers = text
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const bad = brokers.find((b) => !/^[^\s:/]+:\d{1,5}$/.test(b));
  if (brokers.length === 0 || bad !== undefined) throw new ConnectionConfigError(`${variable}: '${bad ?? text}' is not a host:port broker list`);
  return brokers;
}

const TLS_FILE_VARIABLES = ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const;

function readSecurityProtocol(settings: SettingReader): SecurityProtocol {
  const text = settings.get('KAFKA_SECURITY_PROTOCOL');
  if (text === undefined) {
    // Unset: what the other settings imply, so SASL or a CA file alone is enough.
    if (settings.has('KAFKA_SASL_MECHANISM')) return 'SASL_SSL';
    return TLS_FILE_VARIABLES.some((v) => settings.has(v)) ? 'SSL' : 'PLAINTEXT';
  }
  const upper = text.toUpperCase();
  if (!oneOf(SECURITY_PROTOCOLS, upper)) throw new ConnectionConfigError(`KAFKA_SECURITY_PROTOCOL: '${text}' is not one of ${SECURITY_PROTOCOLS.join(', ')}`);
  return upper;
}

function kafkaTls(settings: SettingReader, protocol: SecurityProtocol): KafkaTlsSettings | undefined {
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  if (!usesTls) {
    const stray = [...TLS_FILE_VARIABLES, 'KAFKA_SSL_SERVER_NAME', 'KAFKA_SSL_KEY_PASSWORD'].find((v) => settings.has(v));
    if (stray !== undefined) throw new ConnectionConfigError(`${stray} is set but KAFKA_SECURITY_PROTOCOL is ${protocol}, which has no TLS (use SSL or SASL_SSL)`);
    return undefined;
  }
  const skip = settings.get('KAFKA_SSL_SKIP_VERIFY')?.toLowerCase();
  if (skip !== undefined && skip !== 'true' && skip !== 'false') throw new ConnectionConfigError(`KAFKA_SSL_SKIP_VERIFY: '${skip}' is not true or false`);
  const tls: KafkaTlsSettings = { rejectUnauthorized: skip !== 'true' };
  const ca = settings.pem('KAFKA_SSL_CA_FILE');
  const cert = settings.pem('KAFKA_SSL_CERT_FILE');
  const key = settings.pem('KAFKA_SSL_KEY_FILE');
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConnectionConfigError(
      cert === undefined ? 'KAFKA_SSL_KEY_FILE is set without KAFKA_SSL_CERT_FILE (mutual TLS needs both)' : 'KAFKA_SSL_CERT_FILE is set without KAFKA_SSL_KEY_FILE (mutual TLS needs both)',
    );
  }
  const keyPassword = settings.get('KAFKA_SSL_KEY_PASSWORD');
  if (keyPassword !== undefined && key === undefined) throw new ConnectionConfigError('KAFKA_SSL_KEY_PASSWORD is set without KAFKA_SSL_KEY_FILE');
  const serverName = settings.get('KAFKA_SSL_SERVER_NAME');
  return {
    ...tls,
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(keyPassword !== undefined ? { keyPassword } : {}),
    ...(serverName !== undefined ? { serverName } : {}),
  };
}

function oauthBearerSource(settings: SettingReader, env: Environment): OAuthBearerSource {
  const tokenPath = nonEmpty(env[fileVariable('KAFKA_SASL_OAUTHBEARER_TOKEN')]);
  const token = tokenPath === undefined ? settings.get('KAFKA_SASL_OAUTHBEARER_TOKEN') : undefined;
  const providerModule = settings.get('KAFKA_SASL_OAUTHBEARER_PROVIDER');
  const given = [tokenPath, token, providerModule].filter((x) => x !== undefined).length;
  if (given === 0) throw new ConnectionConfigError('KAFKA_SASL_MECHANISM OAUTHBEARER needs KAFKA_SASL_OAUTHBEARER_TOKEN(_FILE) or KAFKA_SASL_OAUTHBEARER_PROVIDER');
  if (given > 1) throw new ConnectionConfigError('set one of KAFKA_SASL_OAUTHBEARER_TOKEN, KAFKA_SASL_OAUTHBEARER_TOKEN_FILE and KAFKA_SASL_OAUTHBEARER_PROVIDER');
  if (tokenPath !== undefined) {
    // Read now only to fail at start when it is missing; the provider reads it again each time (tokens rotate).
    settings.get('KAFKA_SASL_OAUTHBEARER_TOKEN');
    return { kind: 'token-file', path: tokenPath.trim() };
  }
  return token !== undefined ? { kind: 'token', token } : { kind: 'provider-module', module: providerModule! };
}

function kafkaSasl(settings: SettingReader, env: Environment, protocol: SecurityProtocol): KafkaSaslSettings | undefined {
  const text = settings.get('KAFKA_SASL_MECHANISM');
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  if (!usesSasl) {
    if (text !== undefined) throw new ConnectionConfigError(`KAFKA_SASL_MECHANISM is set but KAFKA_SECURITY_PROTOCOL is ${protocol} (use SASL_SSL or SASL_PLAINTEXT)`);
    return undefined;
  }
  if (text === undefined) throw new ConnectionConfigError(`KAFKA_SECURITY_PROTOCOL is ${protocol} but KAFKA_SASL_MECHANISM is not set (one of ${SASL_MECHANISM_NAMES.join(', ')})`);
  const mechanism = text.toUpperCase();
  if (!oneOf<SaslMechanismName>(SASL_MECHANISM_NAMES, mechanism)) {
    throw new ConnectionConfigError(`KAFKA_SASL_MECHANISM: '${text}' is not supported (one of ${SASL_MECHANISM_NAMES.join(', ')})`);
  }
  if (mechanism === 'OAUTHBEARER') return { mechanism, source: oauthBearerSource(settings, env) };
  const username = settings.get('KAFKA_SASL_USERNAME');
  if (username === undefined) throw new ConnectionConfigError(`KAFKA_SASL_MECHANISM ${mechanism} needs KAFKA_SASL_USERNAME`);
  const password = settings.get('KAFKA_SASL_PASSWORD');
  if (password === undefined) throw new ConnectionConfigError(`KAFKA_SASL_MECHANISM ${mechanism} needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE`);
  return { mechanism, username, password };
}

function kafkaSettings(settings: SettingReader, env: Environment): KafkaConnectionSettings {
  const brokersText = settings.get('KAFKA_BROKERS');
  const securityProtocol = readSecurityProtocol(settings);
  const tls = kafkaTls(settings, securityProtocol);
  const sasl = kafkaSasl(settings, env, securityProtocol);
  return { securityProtocol, ...(brokersText !== undefined ? { brokers: parseBrokers('KAFKA_BROKERS', brokersText) } : {}), ...(tls ? { tls } : {}), ...(sasl ? { sasl } : {}) };
}

function httpUrl(variable: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConnectionConfigError(`${variable}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConnectionConfigError(`${variable}: ${url.protocol} is not http: or https:`);
  return url;
}

function registrySettings(settings: SettingReader): RegistryConnectionSettings {
  const text = settings.get('SCHEMA_REGISTRY_URL');
  let username = settings.get('SCHEMA_REGISTRY_USERNAME');
  let password = settings.get('SCHEMA_REGISTRY_PASSWORD');
  const token = settings.get('SCHEMA_REGISTRY_TOKEN');
  let url: string | undefined;
  if (text !== undefined) {
    const parsed = httpUrl('SCHEMA_REGISTRY_URL', text);
    // Credentials in the URL (as Aiven shows them) become basic auth, so the URL itself is safe to print.
    if (parsed.username !== '' || parsed.password !== '') {
      if (username !== undefined || password !== undefined || token !== undefined)
        throw new ConnectionConfigError('SCHEMA_REGISTRY_URL holds credentials and SCHEMA_REGISTRY_USERNAME/PASSWORD/TOKEN is set too: use one');
      username = decodeURIComponent(parsed.username);
      password = decodeURIComponent(parsed.password);
      parsed.username = '';
      parsed.password = '';
    }
    url = parsed.toString().replace(/\/+$/, '');
  }
  if (token !== undefined && (username !== undefined || password !== undefined))
    throw new ConnectionConfigError('set SCHEMA_REGISTRY_TOKEN or SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD, not both');
  if ((username === undefined) !== (password === undefined)) {
    throw new ConnectionConfigError(username === undefined ? 'SCHEMA_REGISTRY_PASSWORD is set without SCHEMA_REGISTRY_USERNAME' : 'SCHEMA_REGISTRY_USERNAME is set without SCHEMA_REGISTRY_PASSWORD');
  }
  const auth = token !== undefined ? { kind: 'bearer' as const, token } : username !== undefined ? { kind: 'basic' as const, username, password: password! } : undefined;
  return { ...(url !== undefined ? { url } : {}), ...(auth ? { auth } : {}) };
}

function redisUrl(settings: SettingReader): string | undefined {
  const text = settings.get('REDIS_URL');
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    // The URL may hold a password: do not quote it.
    throw new ConnectionConfigError('REDIS_URL: not a URL (redis://[user:password@]host:port or rediss:// for TLS)');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConnectionConfigError(`REDIS_URL: ${url.protocol} is not redis: or rediss:`);
  return text.trim();
}

/** OTLP headers as the OTel spec writes them: `key=value` pairs, comma-separated, values percent-encoded. */
export function parseOtlpHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const entries = text.split(',').filter((entry) => entry.trim() !== '');
  entries.forEach((entry, i) => {
    const at = entry.indexOf('=');
    const key = at > 0 ? entry.slice(0, at).trim() : '';
    // Only the position is named: the value may be a token.
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key)) throw new ConnectionConfigError(`OTEL_EXPORTER_OTLP_HEADERS: entry ${i + 1} is not key=value`);
    let value: string;
    try {
      value = decodeURIComponent(entry.slice(at + 1).trim());
    } catch {
      throw new ConnectionConfigError(`OTEL_EXPORTER_OTLP_HEADERS: the value of ${key} is not percent-encoded correctly`);
    }
    headers[key.toLowerCase()] = value;
  });
  return headers;
}

/**
 * Every connection setting of a mesh process, from the environment (and the files its `*_FILE`
 * variables name), checked: a combination that cannot work throws ConnectionConfigError with one line
 * naming the variable. Unset endpoints stay unset, for the caller's defaults.
 */
export function parseConnectionSettings(env: Environment, readFile: ReadTextFile): ConnectionSettings {
  const settings = new SettingReader(env, readFile);
  const kafka = kafkaSettings(settings, env);
  const registry = registrySettings(settings);
  const redis = redisUrl(settings);
  const endpointText = settings.get('OTEL_EXPORTER_OTLP_ENDPOINT');
  const endpoint = endpointText !== undefined ? httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', endpointText).toString().replace(/\/+$/, '') : undefined;
  const headersText = settings.get('OTEL_EXPORTER_OTLP_HEADERS');
  return {
    kafka,
    registry,
    ...(redis !== undefined ? { redisUrl: redis } : {}),
    otlp: { ...(endpoint !== undefined ? { endpoint } : {}), headers: headersText !== undefined ? parseOtlpHeaders(headersText) : {} },
  };
}
