import type { LoadedState, SavedState, StateVersionInfo } from '@agentmesh/runtime';
import { isoOrDash } from '../dlq/common';
import { toJson } from '../dlq/display-value';
import { renderTable } from '../dlq/summary';

/** One key of an agent as `mesh state ls <agent>` lists it. */
export interface StateKeySummary {
  key: string;
  versions: StateVersionInfo[];
}

/** `12 B`, `3.4 KiB`, `1.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function integrityOf(version: StateVersionInfo): string {
  return version.intact ? 'OK' : `CORRUPT (${version.problem ?? 'unknown'})`;
}

/** `mesh state ls <agent>`: a row per key with its newest version and how many kept versions are corrupt. */
export function renderKeysTable(keys: readonly StateKeySummary[]): string {
  const rows = keys.map(({ key, versions }) => {
    const newest = versions[0];
    const corrupt = versions.filter((v) => !v.intact).length;
    return [key, String(versions.length), newest ? String(newest.version) : '-', isoOrDash(newest?.savedAt), corrupt === 0 ? 'OK' : `${corrupt} CORRUPT`];
  });
  return renderTable(['KEY', 'VERSIONS', 'NEWEST', 'SAVED AT', 'INTEGRITY'], rows);
}

/** `mesh state ls <agent> <key>`: a row per kept version, newest first. */
export function renderVersionsTable(versions: readonly StateVersionInfo[]): string {
  const rows = versions.map((v) => [
    String(v.version),
    isoOrDash(v.savedAt),
    formatBytes(v.bytes),
    v.sha256 === null ? '-' : v.sha256.slice(0, 12),
    integrityOf(v),
    v.restoredFrom === undefined ? '' : `restored from ${v.restoredFrom}`,
  ]);
  return renderTable(['VERSION', 'SAVED AT', 'SIZE', 'SHA-256', 'INTEGRITY', 'NOTE'], rows);
}

export function keyJson(agent: string, summary: StateKeySummary): Record<string, unknown> {
  const newest = summary.versions[0];
  return {
    agent,
    key: summary.key,
    versions: summary.versions.length,
    newest: newest?.version ?? null,
    savedAt: newest?.savedAt == null ? null : isoOrDash(newest.savedAt),
    corrupt: summary.versions.filter((v) => !v.intact).map((v) => v.version),
  };
}

export function versionJson(agent: string, key: string, v: StateVersionInfo): Record<string, unknown> {
  return {
    agent,
    key,
    version: v.version,
    savedAt: v.savedAt === null ? null : isoOrDash(v.savedAt),
    bytes: v.bytes,
    sha256: v.sha256,
    intact: v.intact,
    ...(v.problem !== undefined ? { problem: v.problem } : {}),
    ...(v.restoredFrom !== undefined ? { restoredFrom: v.restoredFrom } : {}),
  };
}

/** The line saying a load passed over corrupt versions; undefined when it did not. */
export function fallbackNote(key: string, loaded: LoadedState): string | undefined {
  if (loaded.skipped.length === 0) return undefined;
  const skipped = loaded.skipped.map((s) => `${s.version} (${s.reason})`).join(', ');
  return `state '${key}' fell back to version ${loaded.version}: newer version${loaded.skipped.length > 1 ? 's' : ''} ${skipped} failed the integrity check`;
}

export function shownJson(agent: string, key: string, loaded: LoadedState): Record<string, unknown> {
  return {
    agent,
    key,
    version: loaded.version,
    savedAt: loaded.savedAt === null ? null : isoOrDash(loaded.savedAt),
    fellBackPast: loaded.skipped,
    state: loaded.state,
  };
}

/** `mesh state show`: which version, whether it fell back, and the state as indented JSON. */
export function renderShown(agent: string, key: string, loaded: LoadedState): string {
  const lines = [`state '${key}' of agent '${agent}': version ${loaded.version}, saved at ${isoOrDash(loaded.savedAt)}`];
  const note = fallbackNote(key, loaded);
  if (note !== undefined) lines.push(note);
  lines.push(toJson(loaded.state, 2));
  return `${lines.join('\n')}\n`;
}

export function renderRestored(agent: string, key: string, saved: SavedState): string {
  return `restored version ${saved.restoredFrom ?? '?'} of state '${key}' of agent '${agent}' as version ${saved.version}\n`;
}

export function restoredJson(agent: string, key: string, saved: SavedState): Record<string, unknown> {
  return { agent, key, version: saved.version, restoredFrom: saved.restoredFrom ?? null, savedAt: isoOrDash(saved.savedAt), sha256: saved.sha256 };
}
