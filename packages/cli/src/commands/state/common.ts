import { AgentStateCorruptError, AgentStateVersionError, createLogger, InvalidStateKeyError, RedisAgentStateStore, StoreError, type AgentStateStore, type StateVersionInfo } from '@agentmesh/runtime';
import { redactRedisUrl } from '@agentmesh/runtime/internal';
import type { Command } from 'commander';
import { endpoint } from '../../defaults';

export const REDIS_HELP = "the agents' Redis, where `mesh run` keeps their state (default: $REDIS_URL or redis://127.0.0.1:6379)";

export interface StateFlags {
  redis?: string;
  json: boolean;
}

/** A failure of a `mesh state` command, said in one line. */
export class StateCommandError extends Error {
  override readonly name = 'StateCommandError';
}

/** Adds --redis and --json, which every state command takes. */
export function withStateOptions(command: Command, jsonHelp: string): Command {
  return command.option('--redis <url>', REDIS_HELP).option('--json', jsonHelp, false);
}

export function redisUrlOf(flags: Pick<StateFlags, 'redis'>): string {
  return flags.redis ?? endpoint('REDIS_URL');
}

/** defineAgent's rule for agent names. */
const AGENT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,100}$/;

export function checkAgentName(agent: string): string {
  if (!AGENT_NAME.test(agent)) throw new StateCommandError(`'${agent}' is not an agent name (1-101 of [a-zA-Z0-9_-])`);
  return agent;
}

/** A version number as typed: a whole number from 1. */
export function parseVersion(text: string): number {
  const version = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(version) || version < 1) throw new StateCommandError(`version '${text}' is not a whole number from 1`);
  return version;
}

/**
 * Runs `work` with the agent state store on the flags' Redis, closed afterwards. Store failures,
 * missing or corrupt versions and bad keys become one line naming the (redacted) URL where it helps.
 */
export async function withStateStore<T>(flags: Pick<StateFlags, 'redis'>, work: (store: AgentStateStore, url: string) => Promise<T>): Promise<T> {
  const url = redisUrlOf(flags);
  const explain = (error: unknown): unknown => {
    if (error instanceof StoreError) return new StateCommandError(`agent state store at ${redactRedisUrl(url)}: ${error.message} (set it with --redis or REDIS_URL)`);
    if (error instanceof AgentStateVersionError || error instanceof AgentStateCorruptError || error instanceof InvalidStateKeyError) return new StateCommandError(error.message);
    return error;
  };
  let store: AgentStateStore;
  try {
    // The connection's own warnings would interleave with the command's output: the error says it all.
    store = RedisAgentStateStore.connect(url, createLogger({ name: 'mesh-state', level: 'silent' }));
  } catch (error) {
    throw explain(error);
  }
  try {
    return await work(store, url);
  } catch (error) {
    throw explain(error);
  } finally {
    await store.close();
  }
}

/** The kept versions of a key, or a one-line error saying the agent has no state at all, or not this key. */
export async function requireVersions(store: AgentStateStore, url: string, agent: string, key: string): Promise<StateVersionInfo[]> {
  const versions = await store.versions(agent, key);
  if (versions.length > 0) return versions;
  const keys = await requireKeys(store, url, agent);
  const shown = keys.length > 10 ? `${keys.slice(0, 10).join(', ')}, ...` : keys.join(', ');
  throw new StateCommandError(`agent '${agent}' has no state '${key}' (its keys: ${shown})`);
}

/** The agent's keys, or a one-line error when it has none. */
export async function requireKeys(store: AgentStateStore, url: string, agent: string): Promise<string[]> {
  const keys = await store.keys(agent);
  if (keys.length === 0) throw new StateCommandError(`no state saved by agent '${agent}' in ${redactRedisUrl(url)}`);
  return keys;
}
