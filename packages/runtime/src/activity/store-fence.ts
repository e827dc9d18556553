import { FENCED_REPLY, type StoreFence } from './lease-store';

/**
 * Lua that a fenceable write script runs first: when the call carries a fence (KEYS[2], the agent's active
 * lease, and ARGV[#ARGV], the value it must hold) and the lease holds anything else, the write is refused.
 * The check and the write are one script, so no takeover can fall between them.
 */
export const FENCE_CHECK_LUA = `
if #KEYS > 1 and redis.call('GET', KEYS[2]) ~= ARGV[#ARGV] then
  return redis.error_reply('${FENCED_REPLY} the active lease of this agent is held by another instance')
end
`;

/** A script call's keys and arguments with the fence added (KEYS[2], last ARGV), or unchanged without one. */
export function withFence(keys: string[], args: Array<string | number>, fence: StoreFence | undefined): { keys: string[]; args: Array<string | number> } {
  if (!fence) return { keys, args };
  return { keys: [...keys, fence.leaseKey], args: [...args, fence.holder] };
}
