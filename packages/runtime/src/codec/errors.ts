import { PermanentError } from '../failure/errors';

/** One place where a value does not fit its schema. */
export interface FieldProblem {
  /** Path into the value, e.g. `lines[0].amount`; '' is the value itself. */
  field: string;
  /** The schema's type at that path, e.g. `double`, `one of EMAIL, UPLOAD, EDI`. */
  expected: string;
  /** A short rendering of what was there instead (`nothing` when missing). */
  got: string;
  /** One readable sentence, e.g. `field 'amount' expected double, got "12"`. */
  message: string;
}

/**
 * A value does not fit the schema of the topic it is produced to.
 * Permanent: re-encoding the same value can never succeed, so retrying it is pointless.
 */
export class EncodeError extends PermanentError {
  override readonly name: string = 'EncodeError';
  /** The first failing field (see `problems` for all of them). */
  readonly field: string;
  readonly expected: string;

  constructor(
    readonly topic: string,
    readonly problems: readonly FieldProblem[],
  ) {
    const first = problems[0] ?? { field: '', expected: 'a value the schema accepts', got: 'something else', message: 'the value does not fit the schema' };
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    super(`value for topic '${topic}' does not fit its schema: ${first.message}${more}`);
    this.field = first.field;
    this.expected = first.expected;
  }
}

/** The registry has no schema for the topic's value subject (`<topic>-value`). */
export class SchemaNotFoundError extends Error {
  override readonly name = 'SchemaNotFoundError';
  constructor(
    readonly topic: string,
    readonly subject: string,
    readonly registryUrl: string,
  ) {
    super(`no schema is registered for topic '${topic}' (subject '${subject}' at ${registryUrl})`);
  }
}

/**
 * The registry could not be asked (unreachable, timed out, answered with an error).
 * Not the event's fault, so it is left transient rather than invalid-input.
 */
export class SchemaRegistryUnavailableError extends Error {
  override readonly name: string = 'SchemaRegistryUnavailableError';
  constructor(
    readonly registryUrl: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`schema registry at ${registryUrl} failed: ${detail}`, options);
  }
}

/**
 * The registry refused the mesh's credentials (401) or their rights (403): a configuration error, which no retry
 * mends. It stays a SchemaRegistryUnavailableError so that events wait (held, never dead-lettered) until the
 * credentials are fixed, but its message names the cause, the registry (credentials redacted) and the settings.
 */
export class SchemaRegistryAuthError extends SchemaRegistryUnavailableError {
  override readonly name: string = 'SchemaRegistryAuthError';
  constructor(
    registryUrl: string,
    readonly status: 401 | 403,
    what: string,
    options?: { cause?: unknown },
  ) {
    super(registryUrl, what, options);
    const refusal =
      status === 401
        ? 'refused the credentials (HTTP 401): check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD, or SCHEMA_REGISTRY_TOKEN'
        : 'denied access (HTTP 403): the credentials lack the right to read schemas';
    this.message = `schema registry at ${registryUrl} ${refusal} (asking for ${what})`;
  }
}

/** The topic's subject holds a schema the registry codec cannot use (JSON Schema, Protobuf). */
export class UnsupportedSchemaError extends PermanentError {
  override readonly name: string = 'UnsupportedSchemaError';
  constructor(
    readonly subject: string,
    readonly schemaId: number,
  ) {
    super(`subject '${subject}' holds schema id ${schemaId}, which is not Avro; the registry codec speaks Avro only`);
  }
}
