import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

/** A line longer than this is passed on in pieces rather than held without bound. */
const MAX_LINE_CHARS = 1 << 20;

/**
 * A replica's output line as the supervisor writes it: a JSON object line (the pino logs) gets a
 * `replica` field first, so it stays one JSON object for jq and log shippers; any other line gets a
 * `[replica i] ` prefix.
 */
export function labelLine(line: string, replica: number): string {
  if (line.startsWith('{"') && line.endsWith('}')) return `{"replica":${replica},${line.slice(1)}`;
  return `[replica ${replica}] ${line}`;
}

/** Cuts a byte stream into lines (without their `\n` or `\r\n`), whatever the chunk boundaries. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  /** The lines this chunk completes. */
  push(chunk: Buffer | string): string[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const lines = this.pending.split('\n');
    this.pending = lines.pop()!;
    if (this.pending.length > MAX_LINE_CHARS) {
      lines.push(this.pending);
      this.pending = '';
    }
    return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  }

  /** What is left once the stream ended: a last line without a newline, if any. */
  end(): string[] {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    return rest === '' ? [] : [rest];
  }
}

/** Writes each line of `from` to `write`, labelled as replica `replica`'s, and tells `onLine` the line as it came. */
export function relayLines(from: Readable, replica: number, write: (text: string) => void, onLine: (line: string) => void = () => {}): void {
  const splitter = new LineSplitter();
  const emit = (lines: string[]) => {
    if (lines.length === 0) return;
    write(lines.map((l) => `${labelLine(l, replica)}\n`).join(''));
    lines.forEach(onLine);
  };
  from.on('data', (chunk: Buffer) => emit(splitter.push(chunk)));
  from.once('end', () => emit(splitter.end()));
}
