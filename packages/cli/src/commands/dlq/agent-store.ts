import { createLogger, openIdempotencyStore } from '@agentmesh/runtime';
import { redactRedisUrl } from '@agentmesh/runtime/internal';
import { endpoint } from '../../defaults';
import type { HeartbeatsRead } from './heartbeats';
import { judgeStore, type StoreVerdict } from './store-check';

/** An agent's idempotency store as `mesh dlq` opens it: the worker's operations plus the read-only looks and replay notes. */
export type AgentStore = ReturnType<typeof openIdempotencyStore>;
/** What an event's key holds, read without changing it. */
export type HeldState = Awaited<ReturnType<AgentStore['peek']>> extends Map<string, infer H> ? H : never;
/** A dead letter's replay as noted in the agent's store. */
export type ReplayNote = Awaited<ReturnType<AgentStore['replayNotes']>> extends Map<string, infer N> ? N : never;

/** How long replay notes are kept: as long as the worker keeps completions (7 days), after which the store cannot tell a resolved dead letter either. */
export const REPLAY_NOTE_TTL_MS = 7 * 24 * 3600 * 1000;

export const REDIS_HELP = "the agent's Redis (its idempotency store; default: $REDIS_URL or redis://127.0.0.1:6379)";
export const REGISTRY_HELP = 'schema registry, to read Avro heartbeats (default: $SCHEMA_REGISTRY_URL or http://127.0.0.1:8081)';

export interface StoreFlags {
  redis?: string;
  registry?: string;
  /** False with --no-store-check. */
  storeCheck: boolean;
}

export function redisUrlOf(flags: StoreFlags): string {
  return flags.redis ?? endpoint('REDIS_URL');
}

export function registryUrlOf(flags: StoreFlags): string {
  return flags.registry ?? endpoint('SCHEMA_REGISTRY_URL');
}

/** The store could not be opened or asked; the message names the URL without its password. */
export class AgentStoreUnreachableError extends Error {
  override readonly name = 'AgentStoreUnreachableError';
}

/** Opens the store at `url` and makes sure it answers. */
export async function openAgentStore(url: string): Promise<AgentStore> {
  // Quiet unless LOG_LEVEL says otherwise: failures surface as one-line errors, not JSON logs.
  const logger = createLogger({ name: 'mesh-dlq', level: process.env.LOG_LEVEL ?? 'silent', destination: process.stderr });
  const store = openIdempotencyStore({ redisUrl: url, logger });
  try {
    await store.ping();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new AgentStoreUnreachableError(`the idempotency store at ${redactRedisUrl(url)} cannot be reached (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  return store;
}

/**
 * Judges, per agent, from the heartbeats read, whether `store` (at `url`) is the idempotency store
 * it announces. One check for replay, its dry run and ls, so they agree.
 */
export async function checkAgentStores(read: HeartbeatsRead, agents: ReadonlySet<string>, store: AgentStore, url: string): Promise<Map<string, StoreVerdict>> {
  let identity: string | null;
  try {
    identity = await store.existingIdentity();
  } catch (error) {
    throw new AgentStoreUnreachableError(`the idempotency store at ${redactRedisUrl(url)} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const now = Date.now();
  const configured = { url: redactRedisUrl(url), identity };
  return new Map([...agents].map((agent) => [agent, judgeStore(agent, read, read.byAgent.get(agent) ?? [], configured, now)]));
}
