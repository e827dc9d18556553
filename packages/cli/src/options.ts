import { InvalidArgumentError } from 'commander';

/** A failure the user can fix from the command line; printed as one line, no stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses `host:port[,host:port...]`. */
export function parseBrokerList(value: string): string[] {
  const brokers = value
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const bad = brokers.find((b) => !/^[^\s:]+:\d{1,5}$/.test(b));
  if (brokers.length === 0 || bad !== undefined) throw new InvalidArgumentError(`'${bad ?? value}' is not a host:port broker list`);
  return brokers;
}

/** Commander parser for a TCP port (0 picks a free one). */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError(`'${value}' is not a port number (0-65535)`);
  return n;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError(`'${value}' is not a positive whole number`);
  return n;
}

/** Runs `stop` on the first SIGINT or SIGTERM, then exits 0; a second signal exits at once. */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`received ${signal}, stopping\n`);
    stop().then(
      () => process.exit(0),
      (err: Error) => {
        process.stderr.write(`error while stopping: ${err.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration such as `30s`, `10m`, `2h`, `7d`, `1h30m` or `500ms`, in milliseconds; undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(?:\d+(?:ms|s|m|h|d|w))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) total += Number(amount) * DURATION_UNITS_MS[unit!]!;
  return Number.isSafeInteger(total) ? total : undefined;
}

/** Commander parser for a duration flag (`--older-than 7d`): milliseconds. */
export function parseDuration(value: string): number {
  const ms = durationMs(value);
  if (ms === undefined) throw new InvalidArgumentError(`'${value}' is not a duration (a number and a unit: 30s, 10m, 2h, 7d; or 1h30m, 500ms)`);
  return ms;
}

/** Commander parser for an http(s) URL (a schema registry): without a trailing slash. */
export function parseHttpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`'${value}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`'${value}' is not an http(s) URL`);
  return value.replace(/\/+$/, '');
}
