import { DEFAULT_COMPATIBILITY_LEVEL, type CompatibilityLevel } from '../compatibility/levels';
import type { SchemaVersionValue, StoreRecord } from './records';

/** Read-only questions the registry asks of its state. */
export interface RegistryView {
  subjectNames(includeDeleted: boolean): string[];
  /** Versions of a subject, ascending. */
  versions(subject: string, includeDeleted: boolean): SchemaVersionValue[];
  version(subject: string, version: number): SchemaVersionValue | undefined;
  schemaById(id: number): string | undefined;
  idForSchema(canonical: string): number | undefined;
  /** Subject/version pairs that use a schema id (soft-deleted ones included). */
  usagesOfId(id: number): SchemaVersionValue[];
  /** Highest id ever seen by this process, so ids are not handed out twice. */
  highestId(): number;
  subjectLevel(subject: string): CompatibilityLevel | undefined;
  globalLevel(): CompatibilityLevel;
  /** The record that restates what this state holds under `record`'s key (a tombstone when nothing). */
  currentRecordFor(record: StoreRecord): StoreRecord;
}

/**
 * The registry's state, rebuilt by applying log records in order. Every process that
 * reads the same log builds the same state, which is how several registries agree.
 *
 * A schema record is refused (apply returns false) when it contradicts what an earlier
 * record established: a different schema under an existing subject/version, an id
 * already bound to another schema, or a schema that already has another id. Such
 * records can only come from two processes writing at once; the earlier one in the
 * log wins, and the loser repairs its key and retries (see KafkaSchemaStore).
 */
export class RegistryState implements RegistryView {
  private readonly subjects = new Map<string, Map<number, SchemaVersionValue>>();
  private readonly schemaOfId = new Map<number, string>();
  private readonly idOfSchema = new Map<string, number>();
  private readonly usageCount = new Map<number, number>();
  private readonly subjectLevels = new Map<string, CompatibilityLevel>();
  private defaultLevel: CompatibilityLevel | undefined;
  private maxIdSeen = 0;

  apply(record: StoreRecord): boolean {
    if (record.kind === 'config') {
      const level = record.value?.compatibilityLevel;
      if (record.subject === null) this.defaultLevel = level;
      else if (level === undefined) this.subjectLevels.delete(record.subject);
      else this.subjectLevels.set(record.subject, level);
      return true;
    }
    const versions = this.subjects.get(record.subject);
    const existing = versions?.get(record.version);
    const value = record.value;
    if (value === null) {
      if (existing && versions) {
        versions.delete(record.version);
        if (versions.size === 0) this.subjects.delete(record.subject);
        this.release(existing.id);
      }
      return true;
    }
    if (existing && (existing.id !== value.id || existing.schema !== value.schema)) return false;
    const boundSchema = this.schemaOfId.get(value.id);
    if (boundSchema !== undefined && boundSchema !== value.schema) return false;
    const boundId = this.idOfSchema.get(value.schema);
    if (boundId !== undefined && boundId !== value.id) return false;

    const subjectVersions = versions ?? new Map<number, SchemaVersionValue>();
    if (!versions) this.subjects.set(record.subject, subjectVersions);
    subjectVersions.set(record.version, value);
    if (!existing) {
      this.usageCount.set(value.id, (this.usageCount.get(value.id) ?? 0) + 1);
      this.schemaOfId.set(value.id, value.schema);
      this.idOfSchema.set(value.schema, value.id);
    }
    this.maxIdSeen = Math.max(this.maxIdSeen, value.id);
    return true;
  }

  private release(id: number): void {
    const remaining = (this.usageCount.get(id) ?? 1) - 1;
    if (remaining > 0) {
      this.usageCount.set(id, remaining);
      return;
    }
    this.usageCount.delete(id);
    const schema = this.schemaOfId.get(id);
    this.schemaOfId.delete(id);
    if (schema !== undefined) this.idOfSchema.delete(schema);
  }

  subjectNames(includeDeleted: boolean): string[] {
    return [...this.subjects.keys()].filter((s) => this.versions(s, includeDeleted).length > 0).sort();
  }

  versions(subject: string, includeDeleted: boolean): SchemaVersionValue[] {
    const all = [...(this.subjects.get(subject)?.values() ?? [])];
    return all.filter((v) => includeDeleted || !v.deleted).sort((a, b) => a.version - b.version);
  }

  version(subject: string, version: number): SchemaVersionValue | undefined {
    return this.subjects.get(subject)?.get(version);
  }

  schemaById(id: number): string | undefined {
    return this.schemaOfId.get(id);
  }

  idForSchema(canonical: string): number | undefined {
    return this.idOfSchema.get(canonical);
  }

  usagesOfId(id: number): SchemaVersionValue[] {
    const found: SchemaVersionValue[] = [];
    for (const versions of this.subjects.values()) for (const v of versions.values()) if (v.id === id) found.push(v);
    return found.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.version - b.version));
  }

  highestId(): number {
    return this.maxIdSeen;
  }

  subjectLevel(subject: string): CompatibilityLevel | undefined {
    return this.subjectLevels.get(subject);
  }

  globalLevel(): CompatibilityLevel {
    return this.defaultLevel ?? DEFAULT_COMPATIBILITY_LEVEL;
  }

  currentRecordFor(record: StoreRecord): StoreRecord {
    if (record.kind === 'schema') {
      return { kind: 'schema', subject: record.subject, version: record.version, value: this.version(record.subject, record.version) ?? null };
    }
    const level = record.subject === null ? this.defaultLevel : this.subjectLevels.get(record.subject);
    return { kind: 'config', subject: record.subject, value: level === undefined ? null : { compatibilityLevel: level } };
  }
}
