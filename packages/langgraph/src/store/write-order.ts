import { compareWritesSortKeys, writesSortKey } from '@langchain/langgraph-checkpoint';
import type { WriteBody } from './record';

/** A pending write as read back, with the index it was stored under. */
export interface StoredWrite {
  idx: number;
  body: WriteBody;
}

/** The index part of a write's field (`<task id>,<idx>`); the task id may itself hold commas. */
export function writeIndexOf(field: string): number | undefined {
  const comma = field.lastIndexOf(',');
  if (comma < 0) return undefined;
  const idx = Number(field.slice(comma + 1));
  return Number.isInteger(idx) ? idx : undefined;
}

/** Writes in the order live execution applies them (LangGraph's `writesSortKey`), as getTuple must return them. Pure. */
export function orderWrites(writes: readonly StoredWrite[]): StoredWrite[] {
  return [...writes].sort((a, b) => compareWritesSortKeys(writesSortKey(a.body.taskPath, a.body.taskId, a.idx), writesSortKey(b.body.taskPath, b.body.taskId, b.idx)));
}
