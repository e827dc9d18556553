import { HEARTBEAT_TOPIC } from '@agentmesh/runtime/internal';
import { formatDuration } from '../saga/format';
import { HEARTBEAT_TAIL, type AnnouncedHeartbeat, type HeartbeatsRead } from './heartbeats';

/** An instance whose newest heartbeat is this much older than the agent's newest has gone: the store it used does not count. */
export const CURRENT_WINDOW_MS = 60_000;

/** The flag that skips the check, and what skipping it risks in a replay. */
export const NO_STORE_CHECK_FLAG = '--no-store-check';
export const NO_STORE_CHECK_RISK = "if it is not the agent's store, the agent drops every replayed event as a duplicate";

/** The store `mesh dlq` is pointed at: its URL (without password) and the identity it holds (null: none yet). */
export interface ConfiguredStore {
  url: string;
  identity: string | null;
}

export type StoreVerdict =
  /** The agent's current instances all announce the configured store. */
  | { ok: true; identity: string; instances: string[]; newestAt: number }
  /**
   * Why the store cannot be used for this agent, in one line saying what to pass. `unchecked`: the
   * heartbeats cannot tell (none, or none announcing a store), so the caller may offer --no-store-check.
   */
  | { ok: false; reason: string; unchecked: boolean };

/** Each instance's newest heartbeat, newest first. */
export function latestPerInstance(heartbeats: readonly AnnouncedHeartbeat[]): AnnouncedHeartbeat[] {
  const latest = new Map<string, AnnouncedHeartbeat>();
  for (const h of heartbeats) {
    const seen = latest.get(h.instanceId);
    if (seen === undefined || h.sentAt > seen.sentAt) latest.set(h.instanceId, h);
  }
  return [...latest.values()].sort((a, b) => b.sentAt - a.sentAt || a.instanceId.localeCompare(b.instanceId));
}

const ago = (at: number, now: number) => `${formatDuration(now - at)} ago`;

/**
 * Whether `store` is the idempotency store `agent` uses, judged from its heartbeats: the instances
 * whose newest heartbeat is within CURRENT_WINDOW_MS of the agent's newest one (so a stopped agent
 * is judged by its last heartbeats, and an instance gone long ago does not count) must all announce
 * the identity the configured store holds.
 */
export function judgeStore(
  agent: string,
  read: Pick<HeartbeatsRead, 'noTopic' | 'undecodable' | 'undecodableReason'>,
  heartbeats: readonly AnnouncedHeartbeat[],
  store: ConfiguredStore,
  now: number,
): StoreVerdict {
  const cannotCheck = (why: string): StoreVerdict => ({ ok: false, reason: `${why}: cannot check that ${store.url} is its idempotency store`, unchecked: true });
  const refuse = (reason: string): StoreVerdict => ({ ok: false, reason, unchecked: false });
  const latest = latestPerInstance(heartbeats);
  if (latest.length === 0) {
    if (read.noTopic) return cannotCheck(`no heartbeat of agent '${agent}': there is no ${HEARTBEAT_TOPIC} topic (no agent has run on this cluster)`);
    const unread = read.undecodable > 0 ? `; ${read.undecodable} heartbeat(s) could not be read: ${read.undecodableReason ?? 'undecodable'}` : '';
    return cannotCheck(`no heartbeat of agent '${agent}' among the newest ${HEARTBEAT_TAIL} per partition of ${HEARTBEAT_TOPIC} (is it running here?)${unread}`);
  }
  const newestAt = latest[0]!.sentAt;
  const current = latest.filter((h) => h.sentAt >= newestAt - CURRENT_WINDOW_MS);
  const silent = current.find((h) => h.idempotencyStore === null);
  if (silent !== undefined) {
    return cannotCheck(
      `agent '${agent}' does not announce its idempotency store (instance ${silent.instanceId}, heartbeat ${ago(silent.sentAt, now)}: a runtime from before store identities, or a registry holding the heartbeat contract from before them)`,
    );
  }
  const announced = [...new Set(current.map((h) => h.idempotencyStore!))];
  if (announced.length > 1) {
    const who = current.map((h) => `${h.instanceId}: ${h.idempotencyStore}`).join(', ');
    return refuse(`the instances of agent '${agent}' announce different idempotency stores (${who}): give them all the same Redis`);
  }
  const identity = announced[0]!;
  const by = current[0]!;
  if (identity.startsWith('memory:')) {
    return refuse(
      `agent '${agent}' keeps its idempotency store in process memory (it runs without REDIS_URL; heartbeat ${ago(by.sentAt, now)}): no other process can read or forget its completions, so run it with REDIS_URL`,
    );
  }
  if (store.identity !== identity) {
    const held = store.identity === null ? 'it holds no store identity (no agent has used it)' : `its store identity is ${store.identity}`;
    return refuse(
      `${store.url} is not the idempotency store of agent '${agent}': ${held}, while '${agent}' announces ${identity} (instance ${by.instanceId}, heartbeat ${ago(by.sentAt, now)}); pass the agent's Redis with --redis or REDIS_URL`,
    );
  }
  return { ok: true, identity, instances: current.map((h) => h.instanceId), newestAt };
}
