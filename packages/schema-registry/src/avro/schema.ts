import { Type } from 'avsc';
import { invalidSchema } from '../errors';

/** A JSON value as found in an Avro schema document. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A schema that parsed and validated: its canonical text and the avsc type used for compatibility checks. */
export interface ParsedAvroSchema {
  /** Compact JSON with keys in a fixed order; equal texts mean "the same schema" (and the same id). */
  readonly canonical: string;
  readonly type: Type;
}

// Keys first in this order so that the stored text reads naturally; the rest follow alphabetically.
const KEY_ORDER = ['name', 'namespace', 'type', 'doc', 'aliases', 'fields', 'symbols', 'items', 'values', 'size', 'default', 'order', 'logicalType'];

function keyRank(key: string): number {
  const index = KEY_ORDER.indexOf(key);
  return index === -1 ? KEY_ORDER.length : index;
}

/**
 * Rewrites a schema document into one deterministic form. We do not use avsc's own
 * `schema()` export because it drops attributes such as `logicalType`, and a registry
 * must hand back what was registered. Field order and `default` values are kept as is
 * (they matter to Avro); only object key order and whitespace are normalised, and
 * `{"type": "int"}` is written as `"int"`.
 */
export function canonicaliseSchemaJson(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(canonicaliseSchemaJson);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'type' && typeof value.type === 'string') return value.type;
  const sorted = keys.sort((a, b) => keyRank(a) - keyRank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: { [key: string]: JsonValue } = {};
  for (const key of sorted) {
    const child = value[key] as JsonValue;
    // `default` holds data, not schema, so it is copied untouched.
    out[key] = key === 'default' ? child : canonicaliseSchemaJson(child);
  }
  return out;
}

/** Parses Avro schema text; throws a 422/42201 RegistryError naming what is wrong. */
export function parseAvroSchema(text: string): ParsedAvroSchema {
  let json: JsonValue;
  try {
    json = JSON.parse(text) as JsonValue;
  } catch (error) {
    throw invalidSchema(`schema is not valid JSON (${(error as Error).message})`);
  }
  let type: Type;
  try {
    // Named types must be named, as the Avro specification (and Confluent) require.
    type = Type.forSchema(json as Parameters<typeof Type.forSchema>[0], { noAnonymousTypes: true });
  } catch (error) {
    throw invalidSchema((error as Error).message);
  }
  return { canonical: JSON.stringify(canonicaliseSchemaJson(json)), type };
}

/** Schema types the Confluent API knows; only AVRO is implemented here. */
export function assertAvroSchemaType(schemaType: unknown): void {
  if (schemaType === undefined || schemaType === null || schemaType === 'AVRO') return;
  throw invalidSchema(`schemaType ${JSON.stringify(schemaType)} is not supported by this registry; only AVRO schemas can be registered`);
}
