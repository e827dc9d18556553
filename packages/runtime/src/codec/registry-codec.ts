import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Resolver, Type } from 'avsc';
import { InvalidInputError } from '../failure/errors';
import { NOT_READY, type ImmediateCodec } from './codec';
import { EncodeError, SchemaNotFoundError, SchemaRegistryUnavailableError, UnsupportedSchemaError } from './errors';
import { ExpiringCache } from './expiring-cache';
import { describeAvroType, describeValue, findFieldProblems } from './field-problems';
import { CONFLUENT_HEADER_BYTES, encodeConfluentFrame, parseConfluentFrame, writeConfluentHeader } from './wire-format';
import type { RegistryAuth } from '../connection/settings';
import { registryClientAuth } from './registry-auth';
import { NOT_FOUND, registryFailure } from './registry-failure';

export interface RegistryCodecOptions {
  /** Base URL of a Confluent-compatible schema registry. */
  url: string;
  /** A client to share (and its schema cache); by default the codec makes its own for `url`. */
  client?: SchemaRegistry;
  /** Credentials of the codec's own client: basic auth or a bearer token (SCHEMA_REGISTRY_USERNAME/PASSWORD or _TOKEN). */
  auth?: RegistryAuth;
  /** How long a topic's latest schema is trusted before it is looked up again. Default 30 s. */
  latestSchemaTtlMs?: number;
  /** Bound on each registry call, retries included. Default 10 s. */
  requestTimeoutMs?: number;
  /** Retries of a failed registry request by the codec's own client. Default 2. */
  retries?: number;
  /** Clock, for tests of the cache. */
  now?: () => number;
}

/** A registered schema: its registry id and the avsc type built from it. */
export interface TopicSchema {
  id: number;
  type: Type;
}

/** As findFieldProblems checks: a field the schema does not declare is refused, not dropped. */
const STRICT = { noUndeclaredFields: true };

/** Value subject of a topic under Confluent's default TopicNameStrategy. */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

function isAvroType(schema: unknown): schema is Type {
  const candidate = schema as Partial<Type> | null;
  return typeof candidate?.typeName === 'string' && typeof candidate.createResolver === 'function' && typeof candidate.fromBuffer === 'function';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Avro in the Confluent wire format, with schemas from the registry.
 *
 * encode: writes with the latest schema of `<topic>-value` (looked up once per
 * topic per `latestSchemaTtlMs`, and again at once when a value does not fit, in
 * case the schema moved on). A value that does not fit is refused with
 * EncodeError naming the field and the expected type.
 *
 * decode: reads the writer schema named by the frame's id and resolves it into
 * the topic's latest schema, so handlers always see the current contract shape
 * (an old record gains a new field's default). This is also the check that the
 * writer schema belongs to the topic: it must be readable as the topic's schema
 * (same record name, promotable field types). It is not a check of the
 * subject's version list: a record written with a compatible schema registered
 * under another subject is accepted. Topics with no subject decode with the
 * writer schema alone. Every fault of the bytes is InvalidInputError; a registry
 * that cannot be reached is SchemaRegistryUnavailableError (transient), since
 * the event is not to blame.
 */
export class RegistryCodec implements ImmediateCodec {
  readonly url: string;
  private readonly client: SchemaRegistry;
  private readonly requestTimeoutMs: number;
  private readonly latestByTopic: ExpiringCache<string, TopicSchema | null>;
  /** Keyed `writerId>readerId`; schema ids are immutable, so these never go stale. */
  private readonly resolvers = new Map<string, Resolver>();
  /** Writer types by schema id (immutable), so a decode skips the bounded registry call once the id is known. */
  private readonly writers = new Map<number, Type>();
  /** Where values are encoded before being copied into their frame; larger ones take avsc's own buffer. */
  private readonly scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(options: RegistryCodecOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.client = options.client ?? new SchemaRegistry({ host: this.url, retry: { retries: options.retries ?? 2, maxRetryTimeInSecs: 2 }, ...registryClientAuth(options.auth) });
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.latestByTopic = new ExpiringCache(options.latestSchemaTtlMs ?? 30_000, options.now);
  }

  encodeNow(topic: string, value: unknown): Buffer | typeof NOT_READY {
    const schema = this.latestByTopic.peek(topic)?.value;
    // A value that does not fit goes the long way: the schema may have moved on, or the error is to be built.
    if (!schema || !schema.type.isValid(value, STRICT)) return NOT_READY;
    return this.write(topic, schema, value);
  }

  async encode(topic: string, value: unknown): Promise<Buffer> {
    const now = this.encodeNow(topic, value);
    if (now !== NOT_READY) return now;
    let schema = await this.requireLatest(topic);
    let problems = findFieldProblems(schema.type, value);
    if (problems.length > 0) {
      // The cached schema may be behind a newer version that accepts this value: look once more.
      this.latestByTopic.invalidate(topic);
      const current = await this.requireLatest(topic);
      if (current.id !== schema.id) {
        schema = current;
        problems = findFieldProblems(schema.type, value);
      }
      if (problems.length > 0) throw new EncodeError(topic, problems);
    }
    return this.write(topic, schema, value);
  }

  /** The value (known to fit) in the Confluent frame. */
  private write(topic: string, schema: TopicSchema, value: unknown): Buffer {
    try {
      // Written behind the frame's header in a reused buffer, then copied out once: one allocation per value.
      const end = schema.type.encode(value, this.scratch, CONFLUENT_HEADER_BYTES);
      if (end < 0) return encodeConfluentFrame(schema.id, schema.type.toBuffer(value));
      const frame = Buffer.allocUnsafe(end);
      this.scratch.copy(frame, 0, 0, end);
      writeConfluentHeader(frame, schema.id);
      return frame;
    } catch (error) {
      // isValid passed, so this is a value avsc cannot write exactly (a long past 2^53, say).
      const expected = describeAvroType(schema.type);
      throw new EncodeError(topic, [{ field: '', expected, got: describeValue(value), message: `the value cannot be written as ${expected}: ${messageOf(error)}` }]);
    }
  }

  decodeNow(topic: string, bytes: Buffer | null): unknown {
    const { schemaId, body } = parseConfluentFrame(bytes);
    const writer = this.writers.get(schemaId);
    const reading = writer && this.cachedReaderFor(topic, schemaId);
    if (!writer || reading === undefined) return NOT_READY;
    return this.read(schemaId, body, writer, reading);
  }

  async decode(topic: string, bytes: Buffer | null): Promise<unknown> {
    const now = this.decodeNow(topic, bytes);
    if (now !== NOT_READY) return now;
    const { schemaId, body } = parseConfluentFrame(bytes);
    const writer = this.writers.get(schemaId) ?? (await this.writerSchema(schemaId));
    const reading = this.cachedReaderFor(topic, schemaId) ?? (await this.readerFor(topic, schemaId, writer));
    return this.read(schemaId, body, writer, reading);
  }

  private read(schemaId: number, body: Buffer, writer: Type, reading: { reader: Type; resolver: Resolver } | false | undefined): unknown {
    try {
      return reading ? reading.reader.fromBuffer(body, reading.resolver) : writer.fromBuffer(body);
    } catch (error) {
      throw new InvalidInputError(`the record body does not fit its writer schema (id ${schemaId}): ${messageOf(error)}`, { cause: error });
    }
  }

  /** The schema a topic's values are written with now, or null when its subject does not exist. */
  latestSchema(topic: string): Promise<TopicSchema | null> {
    return this.latestByTopic.get(topic, (t) => this.loadLatest(t));
  }

  private async requireLatest(topic: string): Promise<TopicSchema> {
    const schema = await this.latestSchema(topic);
    if (schema === null) throw new SchemaNotFoundError(topic, valueSubject(topic), this.url);
    return schema;
  }

  private async loadLatest(topic: string): Promise<TopicSchema | null> {
    const subject = valueSubject(topic);
    const id = await this.ask(`the latest schema of subject '${subject}'`, () => this.client.getLatestSchemaId(subject));
    if (id === NOT_FOUND) return null;
    const schema = await this.ask(`schema id ${id}`, () => this.client.getSchema(id));
    if (schema === NOT_FOUND) throw new SchemaRegistryUnavailableError(this.url, `subject '${subject}' names schema id ${id}, which the registry does not have`);
    if (!isAvroType(schema)) throw new UnsupportedSchemaError(subject, id);
    return { id, type: schema };
  }

  private async writerSchema(schemaId: number): Promise<Type> {
    const known = this.writers.get(schemaId);
    if (known) return known;
    const schema = await this.ask(`schema id ${schemaId}`, () => this.client.getSchema(schemaId));
    if (schema === NOT_FOUND) throw new InvalidInputError(`unknown schema id ${schemaId} (the registry at ${this.url} has no such schema)`);
    if (!isAvroType(schema)) throw new InvalidInputError(`schema id ${schemaId} is not an Avro schema`);
    this.writers.set(schemaId, schema);
    return schema;
  }

  /**
   * readerFor without a promise, when the topic's latest schema is loaded and the resolver already built:
   * `false` for "read with the writer schema as is", undefined when readerFor must be asked.
   */
  private cachedReaderFor(topic: string, writerId: number): { reader: Type; resolver: Resolver } | false | undefined {
    const cached = this.latestByTopic.peek(topic);
    if (!cached) return undefined;
    const latest = cached.value;
    if (latest === null || latest.id === writerId) return false;
    const resolver = this.resolvers.get(`${writerId}>${latest.id}`);
    return resolver ? { reader: latest.type, resolver } : undefined;
  }

  /** How to read bytes of `writerId` as the topic's latest schema; undefined reads with the writer schema as is. */
  private async readerFor(topic: string, writerId: number, writer: Type): Promise<{ reader: Type; resolver: Resolver } | undefined> {
    let latest = await this.latestSchema(topic);
    if (latest === null || latest.id === writerId) return undefined;
    try {
      return { reader: latest.type, resolver: this.resolver(writerId, writer, latest) };
    } catch (firstError) {
      // A writer newer than our cached reader may be readable only by the newest version.
      this.latestByTopic.invalidate(topic);
      const current = await this.latestSchema(topic);
      if (current === null || current.id === writerId) return undefined;
      if (current.id !== latest.id) {
        latest = current;
        try {
          return { reader: latest.type, resolver: this.resolver(writerId, writer, latest) };
        } catch (secondError) {
          throw this.notReadable(topic, writerId, latest.id, secondError);
        }
      }
      throw this.notReadable(topic, writerId, latest.id, firstError);
    }
  }

  private resolver(writerId: number, writer: Type, reader: TopicSchema): Resolver {
    const key = `${writerId}>${reader.id}`;
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      resolver = reader.type.createResolver(writer);
      this.resolvers.set(key, resolver);
    }
    return resolver;
  }

  private notReadable(topic: string, writerId: number, readerId: number, cause: unknown): InvalidInputError {
    return new InvalidInputError(
      `schema id ${writerId} does not fit topic '${topic}': it cannot be read as the topic's schema (id ${readerId}, subject '${valueSubject(topic)}'): ${messageOf(cause)}`,
      { cause },
    );
  }

  /** One registry call, bounded in time; 404 becomes NOT_FOUND, 401/403 SchemaRegistryAuthError, other failures SchemaRegistryUnavailableError. */
  private async ask<T>(what: string, call: () => Promise<T>): Promise<T | typeof NOT_FOUND> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SchemaRegistryUnavailableError(this.url, `no answer about ${what} within ${this.requestTimeoutMs} ms`)), this.requestTimeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([call(), deadline]);
    } catch (error) {
      if (error instanceof SchemaRegistryUnavailableError) throw error;
      const failure = registryFailure(this.url, what, error);
      if (failure === NOT_FOUND) return NOT_FOUND;
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }
}
