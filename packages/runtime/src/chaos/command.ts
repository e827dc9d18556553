import type { ChaosFault, MeshControl } from '../contracts/mesh-contracts.generated';

/** The topic chaos commands and the processes' answers travel on. */
export const CONTROL_TOPIC = 'mesh.control';

/** How mesh.control is created: one partition, kept a day (listeners read it from the start). */
export const CONTROL_TOPIC_SPEC = { topic: CONTROL_TOPIC, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: String(24 * 3600 * 1000) }] };

/** A control record: the mesh/mesh-control.avsc contract's type, generated from it. */
export type ControlRecord = MeshControl;

/** The faults that last a while inside a process (CRASH and CLEAR act at once; PING only answers). */
export type LastingFault = Exclude<ChaosFault, 'CRASH' | 'CLEAR' | 'PING'>;

/** Where a DELAY or FAIL applies: calls through ctx.breaker(target), '*' for every breaker, or the whole handler. */
export const HANDLER_TARGET = 'handler';
export const ANY_BREAKER = '*';

/** A fault in force in one process until `endsAt`. */
export interface ActiveFault {
  commandId: string;
  fault: LastingFault;
  target: string | null;
  delayMs: number;
  endsAt: number;
}

/** The process a command arrives at. */
export interface ChaosSelf {
  agent: string;
  instanceId: string;
  /** Chaos is enabled for this process (mesh run --chaos, WorkerOptions.chaos: true). */
  enabled: boolean;
  /** When the process began listening: commands sent before it are for an earlier process. */
  startedAt: number;
}

export type CommandDecision =
  /** Not a command, not for this process, or stale. */
  | { action: 'ignore' }
  /** Chaos is not enabled here, or the command cannot work: answered REFUSED and logged. */
  | { action: 'refuse'; reason: string }
  /** A lasting fault from now on. */
  | { action: 'begin'; fault: ActiveFault }
  /** SIGKILL to this process. */
  | { action: 'crash' }
  /** Every fault in force ends now. */
  | { action: 'clear' }
  /** Only an answer: who is there. */
  | { action: 'ping' };

/** A crash command older than this is not obeyed (a listener that fell behind must not kill a fresh process). */
export const CRASH_FRESH_MS = 30_000;

/** What a process does with one control record. Pure: the listener does the I/O. */
export function decideCommand(record: ControlRecord, self: ChaosSelf, now: number): CommandDecision {
  if (record.kind !== 'COMMAND' || record.agent !== self.agent) return { action: 'ignore' };
  if (record.instanceId !== null && record.instanceId !== self.instanceId) return { action: 'ignore' };
  if (record.sentAt < self.startedAt) return { action: 'ignore' };
  if (!self.enabled) return { action: 'refuse', reason: `chaos is not enabled for ${self.agent}` };
  if (record.fault === 'CLEAR') return { action: 'clear' };
  // Only an answer: who is there (a process without chaos refuses, so it is seen too).
  if (record.fault === 'PING') return { action: 'ping' };
  if (record.fault === 'CRASH') return now - record.sentAt > CRASH_FRESH_MS ? { action: 'ignore' } : { action: 'crash' };
  if (record.durationMs <= 0) return { action: 'refuse', reason: `${record.fault} needs a positive durationMs` };
  // Its whole span already passed while the command waited: nothing left to do.
  if (record.sentAt + record.durationMs <= now) return { action: 'ignore' };
  if (record.fault === 'DELAY' || record.fault === 'FAIL') {
    if (!record.target) return { action: 'refuse', reason: `${record.fault} needs a target: a breaker name, '${ANY_BREAKER}' or '${HANDLER_TARGET}'` };
    if (record.fault === 'DELAY' && record.delayMs <= 0) return { action: 'refuse', reason: 'DELAY needs a positive delayMs' };
  }
  return {
    action: 'begin',
    fault: { commandId: record.commandId, fault: record.fault, target: record.target, delayMs: record.delayMs, endsAt: now + record.durationMs },
  };
}

/** What a call is up against: a breaker's calls, the handler, the registry or the idempotency store. */
export type CallSite = { kind: 'breaker'; name: string } | { kind: 'handler' } | { kind: 'registry' } | { kind: 'redis' };

/** The fault in force for `site` at `now`, if any (the first one begun wins). */
export function faultFor(faults: readonly ActiveFault[], site: CallSite, now: number): ActiveFault | undefined {
  return faults.find((f) => f.endsAt > now && applies(f, site));
}

function applies(f: ActiveFault, site: CallSite): boolean {
  switch (site.kind) {
    case 'registry':
      return f.fault === 'REGISTRY_OUTAGE';
    case 'redis':
      return f.fault === 'REDIS_OUTAGE';
    case 'handler':
      return (f.fault === 'DELAY' || f.fault === 'FAIL') && f.target === HANDLER_TARGET;
    case 'breaker':
      return (f.fault === 'DELAY' || f.fault === 'FAIL') && (f.target === ANY_BREAKER || f.target === site.name);
  }
}

/** An answer from a process to a command. */
export function answerTo(
  command: ControlRecord,
  kind: 'ACCEPTED' | 'REFUSED' | 'ENDED',
  from: { agent: string; instanceId: string },
  now: number,
  extra: { reason?: string; counters?: Record<string, number> } = {},
): ControlRecord {
  return {
    kind,
    commandId: command.commandId,
    agent: from.agent,
    instanceId: from.instanceId,
    fault: command.fault,
    target: command.target,
    durationMs: command.durationMs,
    delayMs: command.delayMs,
    sentAt: now,
    reason: extra.reason ?? null,
    counters: extra.counters ?? {},
  };
}
