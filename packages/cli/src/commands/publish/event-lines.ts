/**
 * One line of a `mesh publish --file` input (JSON Lines): either an envelope
 * `{"value": ..., "key": "...", "headers": {...}}` or a bare value. A line is an envelope when it is
 * an object that has `value` and no key besides `key`, `value` and `headers`; anything else is the
 * value itself. (A value whose only fields are among those three is written as `{"value": {...}}`.)
 */
export interface EventLine {
  /** 1-based, as editors number lines. */
  line: number;
  value: unknown;
  /** undefined: the line gave none (the --key flag, if any, applies). */
  key?: string | null;
  headers: Record<string, string>;
}

/** A line that is not an event, with its line number and why. */
export interface LineProblem {
  line: number;
  message: string;
}

const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['key', 'value', 'headers']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEnvelope(parsed: unknown): parsed is Record<string, unknown> {
  return isPlainObject(parsed) && 'value' in parsed && Object.keys(parsed).every((k) => ENVELOPE_KEYS.has(k));
}

/** A parsed line, a problem, or undefined for a blank line (skipped, but counted in line numbers). */
export function parseEventLine(text: string, line: number): EventLine | LineProblem | undefined {
  if (text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    return { line, message: `not valid JSON: ${(error as Error).message}` };
  }
  if (!isEnvelope(parsed)) return { line, value: parsed, headers: {} };

  const { key, headers } = parsed;
  if (key !== undefined && key !== null && typeof key !== 'string') return { line, message: `"key" must be a string or null, got ${JSON.stringify(key)}` };
  if (headers !== undefined && !isPlainObject(headers)) return { line, message: `"headers" must be an object of strings, got ${JSON.stringify(headers)}` };
  const textHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value !== 'string') return { line, message: `header '${name}' must be a string, got ${JSON.stringify(value)}` };
    textHeaders[name] = value;
  }
  return { line, value: parsed.value, ...(key === undefined ? {} : { key }), headers: textHeaders };
}

export function isLineProblem(parsed: EventLine | LineProblem): parsed is LineProblem {
  return 'message' in parsed;
}

/** The events and problems of a whole input, in line order. */
export interface ParsedInput {
  events: EventLine[];
  problems: LineProblem[];
}

/**
 * JSON Lines, one event per line. An input that is one JSON value as a whole (a pretty-printed
 * event spread over lines) is that one event: two or more JSON values are never one valid JSON text,
 * so this cannot mistake a JSON Lines input.
 */
export function parseEventInput(text: string): ParsedInput {
  const whole = parseEventLine(text, 1);
  if (whole !== undefined && !isLineProblem(whole)) return { events: [whole], problems: [] };
  const events: EventLine[] = [];
  const problems: LineProblem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const parsed = parseEventLine(lines[i]!, i + 1);
    if (parsed === undefined) continue;
    if (isLineProblem(parsed)) problems.push(parsed);
    else events.push(parsed);
  }
  return { events, problems };
}
