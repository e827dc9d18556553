import { Type } from 'avsc';
import { assertAvroSchemaType, parseAvroSchema, type ParsedAvroSchema } from './avro/schema';
import { checkCompatibility, type ExistingVersion } from './compatibility/check';
import { COMPATIBILITY_LEVELS, isCompatibilityLevel, type CompatibilityLevel } from './compatibility/levels';
import { ErrorCode, RegistryError, SchemaStoreError, invalidSchema, invalidVersion, schemaNotFound, subjectNotFound, versionNotFound } from './errors';
import type { SchemaVersionValue, StoreRecord } from './store/records';
import type { RegistryView } from './store/state';
import type { SchemaStore } from './store/store';

/** `latest` or an explicit version number, as parsed from a URL. */
export type VersionRef = { readonly kind: 'latest' } | { readonly kind: 'number'; readonly version: number };

/** `{subject, id, version, schema}`, the shape Confluent answers for a subject version. */
export interface SubjectVersionResponse {
  readonly subject: string;
  readonly id: number;
  readonly version: number;
  readonly schema: string;
}

const MAX_VERSION = 2 ** 31 - 1;
/** Attempts before a write gives up when other registry processes keep winning races. */
const MAX_WRITE_ATTEMPTS = 5;

export function parseVersionRef(raw: string): VersionRef {
  if (raw === 'latest' || raw === '-1') return { kind: 'latest' };
  if (!/^[0-9]+$/.test(raw)) throw invalidVersion(raw);
  const version = Number(raw);
  if (version < 1 || version > MAX_VERSION) throw invalidVersion(raw);
  return { kind: 'number', version };
}

/** Validates a `{schema, schemaType?, references?}` request body and parses its schema. */
export function readSchemaRequest(body: unknown): ParsedAvroSchema {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidSchema('request body must be a JSON object like {"schema": "..."}');
  }
  const { schema, schemaType, references } = body as Record<string, unknown>;
  assertAvroSchemaType(schemaType);
  if (Array.isArray(references) && references.length > 0) {
    throw invalidSchema('schema references are not supported by this registry; inline the referenced types');
  }
  if (typeof schema !== 'string') throw invalidSchema('"schema" must be a string holding the Avro schema JSON');
  return parseAvroSchema(schema);
}

function toResponse(value: SchemaVersionValue): SubjectVersionResponse {
  return { subject: value.subject, id: value.id, version: value.version, schema: value.schema };
}

/**
 * The registry's behaviour, independent of HTTP: every public method is one endpoint.
 * Reads catch up with the log first, so a registry sees what another process wrote
 * before it answered. Writes run one at a time in this process and are planned
 * against freshly caught-up state, then retried if another process won a race.
 */
export class SchemaRegistryService {
  private writeChain: Promise<unknown> = Promise.resolve();
  // Parsing a stored schema is not free, and compatibility checks reuse the same ones.
  private readonly parsedTypes = new Map<string, Type>();

  constructor(private readonly store: SchemaStore) {}

  private async read(): Promise<RegistryView> {
    await this.store.catchUp();
    return this.store.view;
  }

  private write<T>(plan: (view: RegistryView) => { records: StoreRecord[]; result: T }): Promise<T> {
    const run = async (): Promise<T> => {
      for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
        await this.store.catchUp();
        const { records, result } = plan(this.store.view);
        if (records.length === 0) return result;
        const accepted = await this.store.append(records);
        if (accepted.every(Boolean)) return result;
      }
      throw new SchemaStoreError(`write abandoned after ${MAX_WRITE_ATTEMPTS} attempts: other registry processes kept writing the same subject or id`);
    };
    const next = this.writeChain.then(run, run);
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  private typeOf(schema: string): Type {
    let type = this.parsedTypes.get(schema);
    if (!type) {
      type = parseAvroSchema(schema).type;
      this.parsedTypes.set(schema, type);
    }
    return type;
  }

  private history(view: RegistryView, subject: string): ExistingVersion[] {
    return view.versions(subject, false).map((v) => ({ version: v.version, type: this.typeOf(v.schema) }));
  }

  private levelFor(view: RegistryView, subject: string): CompatibilityLevel {
    return view.subjectLevel(subject) ?? view.globalLevel();
  }

  private resolveVersion(view: RegistryView, subject: string, ref: VersionRef, includeDeleted: boolean): SchemaVersionValue {
    const versions = view.versions(subject, includeDeleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    const found = ref.kind === 'latest' ? versions[versions.length - 1] : versions.find((v) => v.version === ref.version);
    if (!found) throw versionNotFound(subject, ref.kind === 'latest' ? 'latest' : ref.version);
    return found;
  }

  async listSubjects(includeDeleted: boolean): Promise<string[]> {
    return (await this.read()).subjectNames(includeDeleted);
  }

  async listVersions(subject: string, includeDeleted: boolean): Promise<number[]> {
    const versions = (await this.read()).versions(subject, includeDeleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    return versions.map((v) => v.version);
  }

  async getVersion(subject: string, ref: VersionRef, includeDeleted: boolean): Promise<SubjectVersionResponse> {
    return toResponse(this.resolveVersion(await this.read(), subject, ref, includeDeleted));
  }

  async getSchemaById(id: number): Promise<{ schema: string }> {
    const schema = (await this.read()).schemaById(id);
    if (schema === undefined) throw schemaNotFound(`no schema has id ${id}`);
    return { schema };
  }

  async getSubjectVersionsForId(id: number): Promise<Array<{ subject: string; version: number }>> {
    const usages = (await this.read()).usagesOfId(id);
    if (usages.length === 0) throw schemaNotFound(`no schema has id ${id}`);
    return usages.map((u) => ({ subject: u.subject, version: u.version }));
  }

  async lookup(subject: string, body: unknown, includeDeleted: boolean): Promise<SubjectVersionResponse> {
    const parsed = readSchemaRequest(body);
    const versions = (await this.read()).versions(subject, includeDeleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    const match = versions.find((v) => v.schema === parsed.canonical);
    if (!match) throw schemaNotFound(`this schema is not registered under subject '${subject}'`);
    return toResponse(match);
  }

  async register(subject: string, body: unknown): Promise<{ id: number }> {
    const parsed = readSchemaRequest(body);
    return this.write((view) => {
      const live = view.versions(subject, false);
      const same = live.find((v) => v.schema === parsed.canonical);
      if (same) return { records: [], result: { id: same.id } };
      const level = this.levelFor(view, subject);
      const problems = checkCompatibility(level, parsed.type, this.history(view, subject));
      if (problems.length > 0) {
        throw new RegistryError(
          409,
          ErrorCode.incompatibleSchema,
          `Schema being registered is incompatible with an earlier schema for subject "${subject}" ` + `(compatibility ${level}): ${problems.map((p) => p.message).join('; ')}`,
        );
      }
      const id = view.idForSchema(parsed.canonical) ?? view.highestId() + 1;
      const all = view.versions(subject, true);
      const version = (all[all.length - 1]?.version ?? 0) + 1;
      const value: SchemaVersionValue = { subject, version, id, schema: parsed.canonical, deleted: false };
      return { records: [{ kind: 'schema', subject, version, value }], result: { id } };
    });
  }

  async deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.write((view) => {
      const all = view.versions(subject, true);
      if (all.length === 0) throw subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      if (!permanent) {
        if (live.length === 0) {
          throw new RegistryError(404, ErrorCode.subjectSoftDeleted, `Subject '${subject}' was soft deleted. Set permanent=true to delete permanently`);
        }
        const records: StoreRecord[] = live.map((v) => ({ kind: 'schema', subject, version: v.version, value: { ...v, deleted: true } }));
        return { records, result: live.map((v) => v.version) };
      }
      if (live.length > 0) {
        throw new RegistryError(404, ErrorCode.subjectNotSoftDeleted, `Subject '${subject}' was not deleted first before being permanently deleted`);
      }
      const records: StoreRecord[] = all.map((v) => ({ kind: 'schema', subject, version: v.version, value: null }));
      if (view.subjectLevel(subject) !== undefined) records.push({ kind: 'config', subject, value: null });
      return { records, result: all.map((v) => v.version) };
    });
  }

  async deleteVersion(subject: string, ref: VersionRef, permanent: boolean): Promise<number> {
    return this.write((view) => {
      // Explicit versions may already be soft-deleted (40406 / permanent delete); `latest` means the latest live one.
      const target = this.resolveVersion(view, subject, ref, permanent || ref.kind === 'number');
      if (!permanent) {
        if (target.deleted) {
          throw new RegistryError(404, ErrorCode.versionSoftDeleted, `Subject '${subject}' Version ${target.version} was soft deleted. Set permanent=true to delete permanently`);
        }
        return { records: [{ kind: 'schema', subject, version: target.version, value: { ...target, deleted: true } }], result: target.version };
      }
      if (!target.deleted) {
        throw new RegistryError(404, ErrorCode.versionNotSoftDeleted, `Subject '${subject}' Version ${target.version} was not deleted first before being permanently deleted`);
      }
      return { records: [{ kind: 'schema', subject, version: target.version, value: null }], result: target.version };
    });
  }

  /**
   * Against `latest`, applies the subject's level to its history (all versions for
   * *_TRANSITIVE); against an explicit version, checks that version alone.
   */
  async testCompatibility(subject: string, ref: VersionRef, body: unknown, verbose: boolean): Promise<{ is_compatible: boolean; messages?: string[] }> {
    const parsed = readSchemaRequest(body);
    const view = await this.read();
    const level = this.levelFor(view, subject);
    let against: ExistingVersion[];
    if (ref.kind === 'latest') {
      against = this.history(view, subject);
      if (against.length === 0) throw subjectNotFound(subject);
    } else {
      const target = this.resolveVersion(view, subject, ref, false);
      against = [{ version: target.version, type: this.typeOf(target.schema) }];
    }
    const problems = checkCompatibility(level, parsed.type, against);
    const result = { is_compatible: problems.length === 0 };
    return verbose ? { ...result, messages: problems.map((p) => p.message) } : result;
  }

  async getGlobalConfig(): Promise<{ compatibilityLevel: CompatibilityLevel }> {
    return { compatibilityLevel: (await this.read()).globalLevel() };
  }

  async getSubjectConfig(subject: string, defaultToGlobal: boolean): Promise<{ compatibilityLevel: CompatibilityLevel }> {
    const view = await this.read();
    const own = view.subjectLevel(subject);
    if (own !== undefined) return { compatibilityLevel: own };
    if (defaultToGlobal) return { compatibilityLevel: view.globalLevel() };
    // The client library treats this 404 as "first registration of this subject".
    throw new RegistryError(404, ErrorCode.subjectNotFound, `Subject '${subject}' does not have subject-level compatibility configured`);
  }

  async setConfig(subject: string | null, body: unknown): Promise<{ compatibility: CompatibilityLevel }> {
    const requested = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).compatibility : undefined;
    const level = typeof requested === 'string' ? requested.toUpperCase() : requested;
    if (!isCompatibilityLevel(level)) {
      throw new RegistryError(422, ErrorCode.invalidCompatibilityLevel, `Invalid compatibility level ${JSON.stringify(requested)}. Valid values are: ${COMPATIBILITY_LEVELS.join(', ')}`);
    }
    return this.write(() => ({ records: [{ kind: 'config', subject, value: { compatibilityLevel: level } }], result: { compatibility: level } }));
  }

  async deleteSubjectConfig(subject: string): Promise<{ compatibilityLevel: CompatibilityLevel }> {
    return this.write((view) => {
      const own = view.subjectLevel(subject);
      if (own === undefined) throw subjectNotFound(subject);
      return { records: [{ kind: 'config', subject, value: null }], result: { compatibilityLevel: own } };
    });
  }
}
