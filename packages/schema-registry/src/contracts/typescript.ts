import type { JsonValue } from '../avro/schema';
import type { Contract } from './loader';

/** Where the generated declarations live, relative to this directory. */
export const GENERATED_TYPES_FILE = 'types.generated.ts';

type JsonObject = { [key: string]: JsonValue };

const PRIMITIVES: Readonly<Record<string, string>> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number', // avsc decodes long as a JS number (and refuses values beyond 2^53)
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};

function isObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A name or an enum symbol as the schema writes it: a string in any valid schema, else its JSON. */
function text(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function shortName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

function fullName(name: string, namespace: string | undefined): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

function docComment(doc: JsonValue | undefined, indent: string): string {
  return typeof doc === 'string' ? `${indent}/** ${doc.replace(/\*\//g, '* /')} */\n` : '';
}

/** The first comment lines of this repository's generated files: where they come from and how to renew them. */
const REPOSITORY_ORIGIN = [
  'Generated from schemas/*.avsc by renderContractTypes() (src/contracts/typescript.ts). Do not edit by hand:',
  'UPDATE_CONTRACT_TYPES=1 npx jest packages/schema-registry/src/contracts rewrites it.',
];

/**
 * Renders TypeScript declarations for the decoded shape of each contract: the Avro
 * files are the single source of truth and this output is checked in, so a test can
 * compare it with a fresh rendering and fail when a schema changed without its types.
 * `origin` are the opening comment lines (another tool's output says how to renew it).
 */
export function renderContractTypes(contracts: readonly Contract[], origin: readonly string[] = REPOSITORY_ORIGIN): string {
  const declarations = new Map<string, { fullName: string; text: string }>();

  const declare = (avroName: string, text: string, file: string): void => {
    const tsName = shortName(avroName);
    const existing = declarations.get(tsName);
    if (existing && (existing.fullName !== avroName || existing.text !== text)) {
      throw new Error(`${file}: type ${avroName} clashes with another definition of ${existing.fullName}; give it a distinct name`);
    }
    declarations.set(tsName, { fullName: avroName, text });
  };

  const render = (schema: JsonValue, namespace: string | undefined, file: string): string => {
    if (typeof schema === 'string') return PRIMITIVES[schema] ?? shortName(fullName(schema, namespace));
    if (Array.isArray(schema)) return schema.map((branch) => render(branch, namespace, file)).join(' | ');
    if (!isObject(schema)) throw new Error(`${file}: unexpected schema node ${JSON.stringify(schema)}`);
    const type = schema.type;
    if (typeof type !== 'string') return render(type, namespace, file);
    if (PRIMITIVES[type]) return PRIMITIVES[type];
    const name = typeof schema.name === 'string' ? fullName(schema.name, typeof schema.namespace === 'string' ? schema.namespace : namespace) : '';
    const innerNamespace = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : namespace;
    switch (type) {
      case 'record': {
        const fields = Array.isArray(schema.fields) ? schema.fields.filter(isObject) : [];
        const body = fields.map((field) => `${docComment(field.doc, '  ')}  ${text(field.name)}: ${render(field.type, innerNamespace, file)};\n`).join('');
        declare(name, `${docComment(schema.doc, '')}export interface ${shortName(name)} {\n${body}}\n`, file);
        return shortName(name);
      }
      case 'enum': {
        const symbols = Array.isArray(schema.symbols) ? schema.symbols.map((s) => `'${text(s)}'`) : [];
        declare(name, `${docComment(schema.doc, '')}export type ${shortName(name)} = ${symbols.join(' | ')};\n`, file);
        return shortName(name);
      }
      case 'fixed':
        return 'Buffer';
      case 'array': {
        const items = render(schema.items, namespace, file);
        return items.includes('|') ? `Array<${items}>` : `${items}[]`;
      }
      case 'map':
        return `Record<string, ${render(schema.values, namespace, file)}>`;
      default:
        return shortName(fullName(type, namespace));
    }
  };

  const topicLines: string[] = [];
  for (const contract of contracts) {
    const tsName = render(contract.schema, undefined, contract.file);
    topicLines.push(`  '${contract.topic}': ${tsName};\n`);
  }
  const header = `${origin.map((line) => `// ${line}\n`).join('')}// Shapes are the decoded values (fields with defaults are always present after decoding).\n\n`;
  const sorted = [...declarations.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return (
    header +
    sorted.map(([, d]) => d.text).join('\n') +
    '\n/** Value type of each topic with a registered contract (subject `<topic>-value`). */\n' +
    `export interface ContractsByTopic {\n${topicLines.join('')}}\n`
  );
}
