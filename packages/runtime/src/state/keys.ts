import { InvalidStateKeyError } from './errors';

/** Redis keys of agent state: `mesh:state:{<agent>}:<key>`, one hash per (agent, key). */
export const DEFAULT_STATE_KEY_PREFIX = 'mesh:state';
export const MAX_STATE_KEY_LENGTH = 512;

// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A state key: 1-512 characters, none of them control characters. */
export function assertStateKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidStateKeyError('a state key must be a non-empty string');
  if (key.length > MAX_STATE_KEY_LENGTH) throw new InvalidStateKeyError(`state key '${key.slice(0, 40)}...' is longer than ${MAX_STATE_KEY_LENGTH} characters`);
  if (CONTROL.test(key)) throw new InvalidStateKeyError(`state key ${JSON.stringify(key)} has control characters`);
}

/** An agent name usable as a hash tag: non-empty, without braces or control characters. */
export function assertStateAgent(agent: string): void {
  if (typeof agent !== 'string' || agent.length === 0 || /[{}]/.test(agent) || CONTROL.test(agent)) {
    throw new InvalidStateKeyError(`agent name ${JSON.stringify(agent)} cannot own state (empty, or has braces or control characters)`);
  }
}

/**
 * What every state key of an agent starts with: `<prefix>:{<agent>}:`. The agent is the hash tag, so
 * on a Redis Cluster all of an agent's state lives in one slot.
 */
export function agentStateBase(prefix: string, agent: string): string {
  return `${prefix}:{${agent}}:`;
}

export function stateRedisKey(prefix: string, agent: string, key: string): string {
  return agentStateBase(prefix, agent) + key;
}

/** Escapes the characters SCAN's MATCH treats as a pattern (`*`, `?`, `[`, `]`, `\`). */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** The SCAN pattern of every state key of an agent. */
export function agentStatePattern(prefix: string, agent: string): string {
  return `${escapeGlob(agentStateBase(prefix, agent))}*`;
}

/** The state key inside a Redis key of the agent, or undefined for a key that is not one. */
export function stateKeyFromRedisKey(prefix: string, agent: string, redisKey: string): string | undefined {
  const base = agentStateBase(prefix, agent);
  return redisKey.startsWith(base) && redisKey.length > base.length ? redisKey.slice(base.length) : undefined;
}
