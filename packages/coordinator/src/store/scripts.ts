import { LuaScript } from '@agentmesh/runtime/internal';

/** Creates a saga unless it exists (a redelivered trigger): state, its start timer, its status index. Returns 1 or 0. */
export const CREATE_SAGA = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', '0', 'json', ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2])
return 1
`);

/**
 * Writes a saga's next state if (fenced) the partition's epoch is still ours
 * and (always) the stored version is the one we read. Moves the saga's timer
 * and status index in the same step.
 * KEYS: state, epoch, timers, old status, new status
 * ARGV: expected version, epoch ('' = not fenced: an operator's request), json, saga id, wake at ('' = none), started at, new version
 */
export const SAVE_SAGA = new LuaScript(`
if ARGV[2] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[2] then return 'fenced' end
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return 'missing' end
if v ~= ARGV[1] then return 'conflict' end
redis.call('HSET', KEYS[1], 'v', ARGV[7], 'json', ARGV[3])
if ARGV[5] == '' then redis.call('ZREM', KEYS[3], ARGV[4]) else redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4]) end
if KEYS[4] ~= KEYS[5] then redis.call('ZREM', KEYS[4], ARGV[4]) end
redis.call('ZADD', KEYS[5], ARGV[6], ARGV[4])
return 'ok'
`);

/** Deletes finished sagas from a status index started before a cutoff, a chunk at a time. KEYS: status index. ARGV: cutoff, limit, state key prefix. */
export const PURGE_SAGAS = new LuaScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  redis.call('DEL', ARGV[3] .. id)
  redis.call('ZREM', KEYS[1], id)
end
return #ids
`);
