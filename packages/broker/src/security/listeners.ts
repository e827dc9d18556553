/** Kafka's security protocols: whether a listener speaks TLS, and whether it asks for SASL. */
export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

export interface ListenerSpec {
  /** The listener's name; with Kafka's default mapping it is also its security protocol. */
  name: SecurityProtocol;
  host: string;
  port: number;
}

/** Thrown for a listener list that does not parse, with the offending entry. */
export class ListenerConfigError extends Error {
  override readonly name = 'ListenerConfigError';
}

export const usesTls = (protocol: SecurityProtocol): boolean => protocol === 'SSL' || protocol === 'SASL_SSL';
export const usesSasl = (protocol: SecurityProtocol): boolean => protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';

function parseOne(entry: string): ListenerSpec {
  const match = /^([A-Za-z_]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(entry.trim());
  if (!match) throw new ListenerConfigError(`listener '${entry}' is not NAME://host:port (e.g. SASL_SSL://127.0.0.1:9093)`);
  const name = match[1]!.toUpperCase();
  if (!(SECURITY_PROTOCOLS as readonly string[]).includes(name)) {
    throw new ListenerConfigError(`listener '${entry}': '${match[1]}' is not one of ${SECURITY_PROTOCOLS.join(', ')}`);
  }
  const port = Number(match[3]);
  if (port > 65535) throw new ListenerConfigError(`listener '${entry}': port ${port} is above 65535`);
  // Kafka reads an empty host as "the default interface"; we keep to loopback unless told otherwise.
  const host = match[2] === '' ? '127.0.0.1' : match[2]!.replace(/^\[|\]$/g, '');
  return { name: name as SecurityProtocol, host, port };
}

/** Parses Kafka's `listeners` / `advertised.listeners` syntax: `SASL_SSL://127.0.0.1:9093,PLAINTEXT://127.0.0.1:9092`. */
export function parseListeners(text: string): ListenerSpec[] {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new ListenerConfigError('the listener list is empty');
  const listeners = entries.map(parseOne);
  const names = new Set<string>();
  for (const l of listeners) {
    if (names.has(l.name)) throw new ListenerConfigError(`listener name ${l.name} appears twice`);
    names.add(l.name);
  }
  return listeners;
}

/**
 * Pairs each listener with what clients are told to dial: its advertised
 * entry of the same name, else the address it binds (Kafka's rule).
 */
export function advertisedFor(listeners: readonly ListenerSpec[], advertised: readonly ListenerSpec[]): Map<SecurityProtocol, ListenerSpec | null> {
  const byName = new Map(advertised.map((a) => [a.name, a]));
  for (const a of advertised) {
    if (!listeners.some((l) => l.name === a.name)) throw new ListenerConfigError(`advertised listener ${a.name} has no listener of that name`);
  }
  return new Map(listeners.map((l) => [l.name, byName.get(l.name) ?? null]));
}
