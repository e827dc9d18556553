import { Type, types } from 'avsc';

/** Why a reader schema cannot read data written with a writer schema. */
export interface ReadFailure {
  /** Dotted path from the top-level type, e.g. `agentmesh.Invoice.total`. */
  readonly path: string;
  /** The offending field name, when the problem is a field. */
  readonly field?: string;
  readonly reason: string;
}

/**
 * Decides whether `reader` can read data written with `writer`. The decision is avsc's
 * (`reader.createResolver(writer)` throws exactly when Avro resolution fails); the walk
 * below only exists to turn that failure into a message naming the field, because
 * avsc's own messages can be terse (e.g. `cannot read "E" as "E"` for enums).
 */
export function findReadFailure(reader: Type, writer: Type): ReadFailure | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (error) {
    const avscMessage = (error as Error).message;
    return explain(reader, writer, displayName(reader), new Set()) ?? { path: displayName(reader), reason: avscMessage };
  }
}

function resolves(reader: Type, writer: Type): boolean {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
}

function displayName(type: Type): string {
  return type.name ?? type.typeName;
}

function namesMatch(reader: Type, writer: Type): boolean {
  if (reader.name === undefined || writer.name === undefined) return true;
  const short = (name: string): string => name.slice(name.lastIndexOf('.') + 1);
  const readerNames = [reader.name, ...(reader.aliases ?? [])];
  return readerNames.some((n) => n === writer.name || short(n) === short(writer.name as string));
}

function unionBranches(type: Type): Type[] | undefined {
  if (type instanceof types.UnwrappedUnionType || type instanceof types.WrappedUnionType) return type.types;
  return undefined;
}

function explain(reader: Type, writer: Type, path: string, seen: Set<string>): ReadFailure | undefined {
  const visitKey = `${displayName(reader)}<-${displayName(writer)}`;
  if (seen.has(visitKey)) return undefined; // recursive schemas: already being explained higher up
  seen.add(visitKey);

  const writerBranches = unionBranches(writer);
  if (writerBranches) {
    for (const branch of writerBranches) {
      if (!resolves(reader, branch)) {
        return (
          explain(reader, branch, path, seen) ?? {
            path,
            reason: `union branch ${displayName(branch)} written by the writer cannot be read as ${displayName(reader)}`,
          }
        );
      }
    }
    return undefined;
  }
  const readerBranches = unionBranches(reader);
  if (readerBranches) {
    if (readerBranches.some((branch) => resolves(branch, writer))) return undefined;
    return { path, reason: `${displayName(writer)} is not among the union branches [${readerBranches.map(displayName).join(', ')}]` };
  }

  if (reader instanceof types.RecordType && writer instanceof types.RecordType) {
    if (!namesMatch(reader, writer)) {
      return { path, reason: `record name changed from ${writer.name} to ${reader.name} without an alias` };
    }
    for (const field of reader.fields) {
      const fieldPath = `${path}.${field.name}`;
      const candidates = [field.name, ...(field.aliases ?? [])];
      const writerField = writer.fields.find((f) => candidates.includes(f.name));
      if (!writerField) {
        if (field.defaultValue() === undefined) {
          return {
            path: fieldPath,
            field: field.name,
            reason: `field "${field.name}" has no default value and is missing from the writer's schema`,
          };
        }
        continue;
      }
      if (!resolves(field.type, writerField.type)) {
        const inner = explain(field.type, writerField.type, fieldPath, seen);
        return {
          path: inner?.path ?? fieldPath,
          field: inner?.field ?? field.name,
          reason: inner?.reason ?? `field "${field.name}" changed type from ${displayName(writerField.type)} to ${displayName(field.type)}`,
        };
      }
    }
    return undefined;
  }

  if (reader instanceof types.EnumType && writer instanceof types.EnumType) {
    if (!namesMatch(reader, writer)) return { path, reason: `enum name changed from ${writer.name} to ${reader.name} without an alias` };
    const missing = writer.symbols.filter((symbol) => !reader.symbols.includes(symbol));
    return { path, reason: `enum ${displayName(reader)} has no symbol ${missing.join(', ')} (written by the writer) and no default` };
  }
  if (reader instanceof types.ArrayType && writer instanceof types.ArrayType) {
    return explain(reader.itemsType, writer.itemsType, `${path}[]`, seen);
  }
  if (reader instanceof types.MapType && writer instanceof types.MapType) {
    return explain(reader.valuesType as Type, writer.valuesType as Type, `${path}{}`, seen);
  }
  if (reader instanceof types.FixedType && writer instanceof types.FixedType) {
    return { path, reason: `fixed ${displayName(reader)} changed size from ${writer.size} to ${reader.size} or was renamed` };
  }
  if (reader.typeName !== writer.typeName) {
    return { path, reason: `type changed: ${displayName(writer)} cannot be read as ${displayName(reader)}` };
  }
  return undefined;
}
