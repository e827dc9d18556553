import type { Type, types } from 'avsc';
import type { FieldProblem } from './errors';

// Turns avsc's validation hook (a path, a value, a type) into sentences an operator can act on.

/** `['lines', '0', 'amount']` -> `lines[0].amount`. Numeric segments are array indexes. */
export function formatFieldPath(path: readonly string[]): string {
  let out = '';
  for (const segment of path) {
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

function shortName(fullName: string | undefined): string {
  if (fullName === undefined) return '(anonymous)';
  const dot = fullName.lastIndexOf('.');
  return dot === -1 ? fullName : fullName.slice(dot + 1);
}

/** A schema type the way a person would say it: `double`, `null | string`, `one of EMAIL, UPLOAD`. */
export function describeAvroType(type: Type): string {
  const kind = type.typeName;
  switch (kind) {
    case 'record':
    case 'error':
      return `record ${shortName(type.name)}`;
    case 'enum':
      return `one of ${(type as types.EnumType).symbols.join(', ')}`;
    case 'fixed':
      return `fixed(${(type as types.FixedType).size} bytes)`;
    case 'array':
      return `array of ${describeAvroType((type as types.ArrayType).itemsType)}`;
    case 'map':
      return `map of ${describeAvroType((type as types.MapType).valuesType as Type)}`;
    case 'union:unwrapped':
    case 'union:wrapped':
      return (type as types.UnwrappedUnionType).types.map(describeAvroType).join(' | ');
    default:
      if (kind.startsWith('logical:')) return `${describeAvroType((type as types.LogicalType).underlyingType)} (${kind.slice('logical:'.length)})`;
      return kind;
  }
}

const MAX_SHOWN_CHARS = 40;

/** A short rendering of an offending value; JSON where it reads well. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return `${value.length} bytes`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
  const json = JSON.stringify(value);
  return json.length > MAX_SHOWN_CHARS ? `${json.slice(0, MAX_SHOWN_CHARS - 1)}…` : json;
}

function fieldLabel(field: string): string {
  return field === '' ? 'the value' : `field '${field}'`;
}

function problem(field: string, expected: string, got: string, message: string): FieldProblem {
  return { field, expected, got, message };
}

function isPlainRecordValue(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/**
 * Every place where `value` does not fit `type`, in schema order; empty when it fits.
 * Fields the schema does not declare are refused too: silently dropping a misspelt
 * field would publish an event without the data its author meant to send.
 */
export function findFieldProblems(type: Type, value: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  type.isValid(value, {
    noUndeclaredFields: true,
    errorHook: (path: string[], badValue: unknown, badType: Type) => {
      const field = formatFieldPath(path);
      if ((badType.typeName === 'record' || badType.typeName === 'error') && isPlainRecordValue(badValue)) {
        const record = badType as types.RecordType;
        const declared = new Set(record.fields.map((f) => f.name));
        const undeclared = Object.keys(badValue).filter((k) => !declared.has(k) && badValue[k] !== undefined);
        if (undeclared.length > 0) {
          for (const name of undeclared) {
            const at = formatFieldPath([...path, name]);
            problems.push(problem(at, 'no such field', describeValue(badValue[name]), `${fieldLabel(at)} is not in schema ${shortName(record.name)} (its fields: ${[...declared].join(', ')})`));
          }
          return;
        }
      }
      const expected = describeAvroType(badType);
      const got = describeValue(badValue);
      const message = badValue === undefined ? `${fieldLabel(field)} is missing (expected ${expected})` : `${fieldLabel(field)} expected ${expected}, got ${got}`;
      problems.push(problem(field, expected, got, message));
    },
  });
  return problems;
}
