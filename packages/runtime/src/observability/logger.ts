import { hostname } from 'node:os';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger, type LoggerOptions as PinoOptions } from 'pino';
import { Header } from '../events/headers';
import { traceIdFromTraceparent } from './propagation';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  /** The process or component (pino's `name`), e.g. 'worker' or 'coordinator'. */
  name: string;
  /** The agent this process runs, as a base field on every line. */
  agent?: string;
  /** This replica; default `<hostname>-<pid>`. */
  instance?: string;
  /** Default LOG_LEVEL, else 'info'. An unknown level falls back to 'info' with a warning. */
  level?: string;
  /** Default stdout. Tests pass a stream they capture. */
  destination?: DestinationStream;
  /** Further paths to redact, in pino's path syntax. */
  redactPaths?: readonly string[];
}

/** What a redacted value is replaced with. */
export const REDACTED = '[Redacted]';

/**
 * Keys whose values are secrets, up to two objects down (`{ config: { redis: { password } } }`).
 * Deeper nesting and arrays are not covered: log secret-bearing config through `redactUrl` or not
 * at all.
 */
const SECRET_KEYS = ['password', 'passwd', 'secret', 'token', 'accessToken', 'refreshToken', 'apiKey', 'authorization', 'cookie'] as const;

/** Keys holding connection URLs: only their password is hidden, so host and port stay readable. */
const URL_KEYS = ['redisUrl', 'url', 'brokerUrl', 'connectionString'] as const;
const URL_KEY_SET: ReadonlySet<string> = new Set(URL_KEYS);

const SECRET_KEY_SET: ReadonlySet<string> = new Set(SECRET_KEYS);
/** How deep secrets are looked for: the logged object and two objects down. */
const SECRET_DEPTH = 3;

const LOG_LEVELS: ReadonlySet<string> = new Set([...Object.keys(pino.levels.values), 'silent']);

/** A pino JSON logger with the mesh's base fields, redaction and the active trace id. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const requestedLevel = (options.level ?? process.env.LOG_LEVEL ?? 'info').trim().toLowerCase();
  const level = LOG_LEVELS.has(requestedLevel) ? requestedLevel : 'info';
  const base: Record<string, unknown> = {
    pid: process.pid,
    instance: options.instance ?? `${hostname()}-${process.pid}`,
  };
  if (options.agent !== undefined) base.agent = options.agent;

  const pinoOptions: PinoOptions = {
    name: options.name,
    level,
    base,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Level names read better than numbers in `jq` filters and log UIs. Secrets nested in a line's
    // object are hidden by a walk of it (pino's wildcard paths, `*.*.password`, cost ten times the rest
    // of a line); pino's own redaction covers the top-level keys, child loggers' bindings included.
    formatters: { level: (label) => ({ level: label }), log: (object) => redactSecrets(object, SECRET_DEPTH) },
    redact: { paths: [...SECRET_KEYS, 'Authorization', ...URL_KEYS, ...(options.redactPaths ?? [])], censor: censorValue },
    // Lines logged inside a span carry its ids without each call site passing them.
    mixin: activeTraceFields,
  };
  const logger = options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
  if (level !== requestedLevel) logger.warn({ requestedLevel }, `unknown log level "${requestedLevel}", using "${level}"`);
  return logger;
}

/**
 * A child logger with those of `fields` the logger does not bind yet. pino writes a field bound
 * twice (a base `instance`, then a child's) twice in every line, which JSON tools read as one.
 */
export function childWithNewFields(logger: Logger, fields: Record<string, unknown>): Logger {
  const bound = logger.bindings();
  const added: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (!(key in bound)) added[key] = value;
  return logger.child(added);
}

function censorValue(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1];
  if (key !== undefined && URL_KEY_SET.has(key) && typeof value === 'string') return redactUrl(value);
  return REDACTED;
}

/**
 * The object with secret keys' values replaced (URLs keep all but their password), `depth` plain
 * objects down (so `headers.authorization` too). Copies only what it changes: the caller's object
 * is never touched, and a line without secrets is logged as it is.
 */
export function redactSecrets<T extends Record<string, unknown>>(object: T, depth: number): T {
  let copy: Record<string, unknown> | undefined;
  for (const key in object) {
    const value = object[key];
    let replaced: unknown = value;
    if (SECRET_KEY_SET.has(key) || key === 'Authorization') replaced = REDACTED;
    else if (URL_KEY_SET.has(key) && typeof value === 'string') replaced = redactUrl(value);
    else if (depth > 1 && isPlainObject(value)) replaced = redactSecrets(value, depth - 1);
    if (replaced !== value) (copy ??= { ...object })[key] = replaced;
  }
  return (copy ?? object) as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function activeTraceFields(): Record<string, string> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}

/**
 * Hides the password in a URL with credentials (`redis://user:pass@host:6379/0` →
 * `redis://user:***@host:6379/0`); anything else is returned unchanged. Works on the raw string
 * rather than re-serialising a parsed URL, so nothing but the password changes. Comma-separated
 * lists of URLs are handled one by one.
 */
export function redactUrl(url: string): string {
  return url.replace(CREDENTIALS_IN_URL, (_match, scheme: string, user: string) => `${scheme}${user}:***@`);
}

/** scheme://user:password@ — the password runs to the last '@' before the host part. */
const CREDENTIALS_IN_URL = /([a-z][a-z\d+.-]*:\/\/)([^:/?#@\s,]*):([^\s,]*?)@(?=[^@\s,]*(?:[\s,]|$))/gi;

/** An event as the worker holds it; structurally satisfied by `AgentEvent`. */
export interface LoggableEvent {
  eventId: string;
  correlationId?: string;
  topic: string;
  partition: number;
  offset: string;
  headers?: Readonly<Record<string, string>>;
}

export interface EventLogFields {
  eventId: string;
  correlationId?: string;
  traceId?: string;
  topic: string;
  partition: number;
  offset: string;
}

/** The fields of "one line per decision" logs: which event, which conversation, which trace. */
export function eventLogFields(event: LoggableEvent): EventLogFields {
  const fields: EventLogFields = { eventId: event.eventId, topic: event.topic, partition: event.partition, offset: event.offset };
  const correlationId = event.correlationId ?? event.headers?.[Header.correlationId];
  if (correlationId) fields.correlationId = correlationId;
  const traceId = traceIdFromTraceparent(event.headers?.[Header.traceparent]);
  if (traceId) fields.traceId = traceId;
  return fields;
}
