/**
 * The documented environment variables of a mesh process's connections, one vocabulary for agents,
 * the coordinator, every `mesh` command, the console and CLI profiles. A secret may instead be read
 * from a file (a Kubernetes Secret mounted as one): the same name with `_FILE`, holding its path.
 */
export interface ConnectionVariable {
  readonly name: string;
  readonly description: string;
  /** A secret's value never appears in output; `<name>_FILE` may hold a path to read it from. */
  readonly secret: boolean;
}

const variable = (name: string, description: string, secret = false): ConnectionVariable => ({ name, description, secret });

export const CONNECTION_VARIABLES: readonly ConnectionVariable[] = [
  variable('KAFKA_BROKERS', 'bootstrap brokers, host:port[,host:port...]'),
  variable('KAFKA_SECURITY_PROTOCOL', 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (default: SASL_SSL when a SASL mechanism is set, SSL when a TLS file is, else PLAINTEXT)'),
  variable('KAFKA_SASL_MECHANISM', 'PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER'),
  variable('KAFKA_SASL_USERNAME', 'SASL user (PLAIN and SCRAM)'),
  variable('KAFKA_SASL_PASSWORD', 'SASL password (PLAIN and SCRAM)', true),
  variable('KAFKA_SASL_OAUTHBEARER_TOKEN', 'OAUTHBEARER token; with _FILE the file is read again for every authentication, so a rotated token is picked up', true),
  variable('KAFKA_SASL_OAUTHBEARER_PROVIDER', 'OAUTHBEARER: a JavaScript module whose default export returns { value: token } (e.g. AWS MSK IAM)'),
  variable('KAFKA_SSL_CA_FILE', 'PEM bundle of the CAs to trust (default: the system CAs)'),
  variable('KAFKA_SSL_CERT_FILE', 'PEM client certificate, for mutual TLS'),
  variable('KAFKA_SSL_KEY_FILE', 'PEM key of the client certificate'),
  variable('KAFKA_SSL_KEY_PASSWORD', 'passphrase of the client key', true),
  variable('KAFKA_SSL_SERVER_NAME', 'host name to check the broker certificate against (default: the broker host)'),
  variable('KAFKA_SSL_SKIP_VERIFY', 'true turns certificate checks off (never in production; default false)'),
  variable('SCHEMA_REGISTRY_URL', 'schema registry base URL (http or https)'),
  variable('SCHEMA_REGISTRY_USERNAME', 'schema registry basic-auth user (Confluent Cloud: the API key)'),
  variable('SCHEMA_REGISTRY_PASSWORD', 'schema registry basic-auth password (Confluent Cloud: the API secret)', true),
  variable('SCHEMA_REGISTRY_TOKEN', 'schema registry bearer token (instead of a user and password)', true),
  variable('REDIS_URL', 'redis://[user:password@]host:port[/db], rediss:// for TLS', true),
  variable('OTEL_EXPORTER_OTLP_ENDPOINT', 'OTLP/HTTP base URL for traces'),
  variable('OTEL_EXPORTER_OTLP_HEADERS', 'OTLP headers, key=value[,key=value...] (e.g. authorization=Bearer%20...)', true),
];

export const CONNECTION_VARIABLE_NAMES: ReadonlySet<string> = new Set(CONNECTION_VARIABLES.map((v) => v.name));

/** The `_FILE` companion of a variable: the path of a file holding its value. */
export const fileVariable = (name: string): string => `${name}_FILE`;

/** The variable a name sets, with `_FILE` stripped when it is a known variable's file companion. */
export function baseVariable(name: string): string | undefined {
  if (CONNECTION_VARIABLE_NAMES.has(name)) return name;
  const base = name.endsWith('_FILE') ? name.slice(0, -'_FILE'.length) : undefined;
  return base !== undefined && CONNECTION_VARIABLE_NAMES.has(base) ? base : undefined;
}

/** Whether a variable (or its `_FILE` companion) carries a secret value. `_FILE` itself holds a path, not a secret. */
export function isSecretVariable(name: string): boolean {
  return CONNECTION_VARIABLES.some((v) => v.secret && v.name === name);
}
