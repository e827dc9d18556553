import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The last `lines` lines of a text. */
export function lastLines(text: string, lines: number): { tail: string; dropped: number } {
  const all = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  if (text === '') return { tail: '', dropped: 0 };
  const kept = all.slice(Math.max(0, all.length - lines));
  return { tail: kept.join('\n'), dropped: all.length - kept.length };
}

/** Every log file of a directory (sorted by name), each under a header with its path, cut to its last `lines` lines. */
export function tailLogs(logDir: string, lines: number): string {
  if (!existsSync(logDir)) return `(no log directory ${logDir})\n`;
  const files = readdirSync(logDir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  if (files.length === 0) return `(no logs in ${logDir})\n`;
  return files
    .map((file) => {
      const path = join(logDir, file);
      const { tail, dropped } = lastLines(readFileSync(path, 'utf8'), lines);
      const header = `==> ${path}${dropped > 0 ? ` (last ${lines} lines; ${dropped} before them)` : ''} <==`;
      return `${header}\n${tail === '' ? '(empty)' : tail}\n`;
    })
    .join('\n');
}

/** A pino JSON line's level and message, when it is one at error level or worse. */
function errorOf(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { level, msg } = parsed as { level?: unknown; msg?: unknown };
  const severe = level === 'error' || level === 'fatal' || (typeof level === 'number' && level >= 50);
  return severe ? `${String(level)}: ${typeof msg === 'string' ? msg : JSON.stringify(msg)}` : undefined;
}

/** The distinct error (and fatal) messages of every log of a directory, with how often each came: `file: level: msg (xN)`. */
export function logErrors(logDir: string): string[] {
  if (!existsSync(logDir)) return [];
  const found: string[] = [];
  for (const file of readdirSync(logDir)
    .filter((f) => f.endsWith('.log'))
    .sort()) {
    const counts = new Map<string, number>();
    for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
      const error = errorOf(line);
      if (error !== undefined) counts.set(error, (counts.get(error) ?? 0) + 1);
    }
    for (const [error, n] of counts) found.push(`${file}: ${error}${n > 1 ? ` (x${n})` : ''}`);
  }
  return found;
}
