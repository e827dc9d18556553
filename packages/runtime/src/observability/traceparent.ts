import { TraceFlags, type SpanContext } from '@opentelemetry/api';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace-node';

/** A W3C `traceparent` value, parsed. */
export interface Traceparent {
  /** The value to send onward: version 00, lowercase. */
  readonly header: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  /** As a remote OpenTelemetry span context. */
  readonly spanContext: SpanContext;
}

// version "-" trace-id "-" parent-id "-" flags, lowercase hex; a future version may append "-" fields.
const CANONICAL_LENGTH = 55;

/**
 * Parses a traceparent by the W3C rules (version ff and all-zero ids are invalid; version 00 has
 * exactly four fields); undefined when absent or invalid. A canonical value is kept as it came.
 * Checked by hand rather than by a regular expression: this runs for every event a worker reads.
 */
export function parseTraceparent(value: string | undefined): Traceparent | undefined {
  if (value === undefined) return undefined;
  let header = value;
  if (header.length !== CANONICAL_LENGTH) {
    header = header.trim();
    if (header.length < CANONICAL_LENGTH) return undefined;
  }
  if (!isLowerHex(header, 0, 2) || header.charCodeAt(2) !== DASH || !isLowerHex(header, 3, 35) || header.charCodeAt(35) !== DASH) return undefined;
  if (!isLowerHex(header, 36, 52) || header.charCodeAt(52) !== DASH || !isLowerHex(header, 53, 55)) return undefined;
  const version00 = header.charCodeAt(0) === ZERO && header.charCodeAt(1) === ZERO;
  if (header.charCodeAt(0) === LOWER_F && header.charCodeAt(1) === LOWER_F) return undefined;
  if (header.length > CANONICAL_LENGTH && (version00 || header.charCodeAt(CANONICAL_LENGTH) !== DASH)) return undefined;
  if (isAllZero(header, 3, 35) || isAllZero(header, 36, 52)) return undefined;
  // The sampled flag is the lowest bit of the flags' last hex digit (odd digits: 1 3 5 7 9 b d f).
  const sampled = (hexValue(header.charCodeAt(54)) & TraceFlags.SAMPLED) !== 0;
  if (!version00 || header.length > CANONICAL_LENGTH) header = `00-${header.slice(3, 52)}-${sampled ? '01' : '00'}`;
  return new ParsedTraceparent(header, sampled);
}

const DASH = 0x2d;
const ZERO = 0x30;
const LOWER_F = 0x66;

/** 1 for the char codes of 0-9 and a-f. */
const LOWER_HEX = new Uint8Array(128);
for (const c of '0123456789abcdef') LOWER_HEX[c.charCodeAt(0)] = 1;

function isLowerHex(text: string, from: number, to: number): boolean {
  // Without a branch per char: about twice as fast as comparing ranges, on the 52 hex chars of every event.
  let ok = 1;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    ok &= c < 128 ? LOWER_HEX[c]! : 0;
  }
  return ok === 1;
}

/** The value of a lowercase hex digit already checked. */
function hexValue(c: number): number {
  return c <= 0x39 ? c - ZERO : c - 0x61 + 10;
}

function isAllZero(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) !== 0x30) return false;
  return true;
}

const ids = new RandomIdGenerator();

/** A new sampled trace with a new parent id: what a tracing publisher would have sent. */
export function newTraceparent(): Traceparent {
  const traceId = ids.generateTraceId();
  const spanId = ids.generateSpanId();
  return new ParsedTraceparent(`00-${traceId}-${spanId}-01`, true);
}

/** A valid version-00 traceparent; its ids are cut out of the header only when asked for. */
class ParsedTraceparent implements Traceparent {
  private context: SpanContext | undefined;

  constructor(
    readonly header: string,
    readonly sampled: boolean,
  ) {}

  get traceId(): string {
    return this.header.slice(3, 35);
  }

  get spanId(): string {
    return this.header.slice(36, 52);
  }

  get spanContext(): SpanContext {
    this.context ??= { traceId: this.traceId, spanId: this.spanId, traceFlags: this.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true };
    return this.context;
  }
}
