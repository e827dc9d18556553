import { LuaScript } from '@agentmesh/runtime/internal';
import { PerSagaScript } from './batched-script';

/**
 * Creates a saga unless it exists (a redelivered trigger): state, its start timer, its status index. Answers 1 or 0.
 * K: state, timers, status index; A: json, saga id, wake at, started at.
 */
export const CREATE_SAGA = new PerSagaScript(
  3,
  4,
  `
if redis.call('EXISTS', K[1]) == 1 then return 0 end
redis.call('HSET', K[1], 'v', '0', 'json', A[1])
redis.call('ZADD', K[2], A[3], A[2])
redis.call('ZADD', K[3], A[4], A[2])
return 1
`,
);

/**
 * Writes a saga's next state if (fenced) the partition's epoch is still ours
 * and (always) the stored version is the one we read. Moves the saga's timer
 * and status index in the same step.
 * K (keys): state, epoch, timers, old status, new status
 * A (arguments): expected version, epoch ('' = not fenced: an operator's request), json, saga id, wake at ('' = none), started at, new version
 */
export const SAVE_SAGA = new PerSagaScript(
  5,
  7,
  `
if A[2] ~= '' and redis.call('GET', K[2]) ~= A[2] then return 'fenced' end
local v = redis.call('HGET', K[1], 'v')
if not v then return 'missing' end
if v ~= A[1] then return 'conflict' end
redis.call('HSET', K[1], 'v', A[7], 'json', A[3])
if A[5] == '' then redis.call('ZREM', K[3], A[4]) else redis.call('ZADD', K[3], A[5], A[4]) end
if K[4] ~= K[5] then redis.call('ZREM', K[4], A[4]) end
redis.call('ZADD', K[5], A[6], A[4])
return 'ok'
`,
);

/** Deletes finished sagas from a status index started before a cutoff, a chunk at a time. KEYS: status index. ARGV: cutoff, limit, state key prefix. */
export const PURGE_SAGAS = new LuaScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  redis.call('DEL', ARGV[3] .. id)
  redis.call('ZREM', KEYS[1], id)
end
return #ids
`);
