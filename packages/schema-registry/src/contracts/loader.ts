import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Type } from 'avsc';
import { parseAvroSchema, type JsonValue } from '../avro/schema';
import { RegistryError } from '../errors';

/** Maps each topic to the file holding its value schema, relative to the schemas directory. */
export const TOPICS_FILE = 'topics.json';

/** One topic's value contract, loaded from `schemas/`. */
export interface Contract {
  readonly topic: string;
  /** `<topic>-value`, Confluent's TopicNameStrategy. */
  readonly subject: string;
  /** Path relative to the schemas directory, with `/` separators (e.g. `invoice/invoice-received.avsc`). */
  readonly file: string;
  readonly absolutePath: string;
  /** Full name of the record, e.g. `io.agentmesh.examples.invoice.InvoiceReceived`. */
  readonly recordName: string;
  readonly schema: JsonValue;
  /** The text that is registered. */
  readonly canonical: string;
  readonly type: Type;
}

/** A contract file is missing, malformed, or (subclass) incompatible with what is registered. */
export class ContractError extends Error {
  constructor(
    /** The file at fault, relative to the schemas directory. */
    readonly file: string,
    message: string,
    /** The field at fault, when one can be named. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

/**
 * `schemas/` inside this repository. The path is the same from `src/contracts` and
 * `dist/contracts`; a published package has no schemas, so callers pass a directory.
 */
export function defaultSchemasDir(): string {
  return resolve(__dirname, '..', '..', '..', '..', 'schemas');
}

function listAvscFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...listAvscFiles(full));
    else if (entry.endsWith('.avsc')) found.push(full);
  }
  return found;
}

function readTopicMap(dir: string): Record<string, string> {
  const path = join(dir, TOPICS_FILE);
  if (!existsSync(path)) throw new ContractError(TOPICS_FILE, `${path} is missing: it maps each topic to its .avsc file`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ContractError(TOPICS_FILE, `${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ContractError(TOPICS_FILE, `${path} must be an object of "topic": "file.avsc"`);
  }
  for (const [topic, file] of Object.entries(parsed)) {
    if (typeof file !== 'string' || !file.endsWith('.avsc')) {
      throw new ContractError(TOPICS_FILE, `${path}: topic "${topic}" must map to a .avsc file path, got ${JSON.stringify(file)}`);
    }
  }
  return parsed as Record<string, string>;
}

function loadFile(dir: string, file: string): Omit<Contract, 'topic' | 'subject'> {
  const absolutePath = join(dir, file);
  if (!existsSync(absolutePath)) throw new ContractError(file, `${file} is listed in ${TOPICS_FILE} but does not exist`);
  const text = readFileSync(absolutePath, 'utf8');
  let parsed;
  try {
    parsed = parseAvroSchema(text);
  } catch (error) {
    const detail = error instanceof RegistryError ? error.message : String(error);
    throw new ContractError(file, `${file}: ${detail}`);
  }
  const schema = JSON.parse(text) as JsonValue;
  const top = typeof schema === 'object' && schema !== null && !Array.isArray(schema) ? schema : undefined;
  if (!top || top.type !== 'record') throw new ContractError(file, `${file}: the top-level type must be a record (one record per file)`);
  const recordName = parsed.type.name ?? '';
  if (!recordName.includes('.')) throw new ContractError(file, `${file}: record ${recordName} needs a namespace`);
  return { file, absolutePath, recordName, schema, canonical: parsed.canonical, type: parsed.type };
}

/**
 * Loads and checks every contract: `topics.json` names the topics; each listed file
 * must parse as one namespaced Avro record, and every .avsc file must be listed (an
 * unlisted file is usually a typo). Throws ContractError naming the file.
 */
export function loadContracts(dir: string = defaultSchemasDir()): Contract[] {
  const topics = readTopicMap(dir);
  const files = new Map<string, Omit<Contract, 'topic' | 'subject'>>();
  const contracts: Contract[] = [];
  for (const [topic, file] of Object.entries(topics)) {
    const loaded = files.get(file) ?? loadFile(dir, file);
    files.set(file, loaded);
    contracts.push({ ...loaded, topic, subject: `${topic}-value` });
  }
  for (const path of listAvscFiles(dir)) {
    const file = relative(dir, path).split(sep).join('/');
    if (!files.has(file)) throw new ContractError(file, `${file} is not mapped to any topic in ${TOPICS_FILE}`);
  }
  return contracts;
}
