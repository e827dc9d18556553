import { FENCED_REPLY, LuaScript } from '@agentmesh/runtime/internal';

/** One write of a put or putWrites: the saver's whole vocabulary, so a fenced script can refuse anything else. */
export interface WriteOp {
  command: 'HSET' | 'HSETNX' | 'ZADD' | 'PEXPIRE';
  key: string;
  args: string[];
}

const WRITE_COMMANDS: ReadonlySet<string> = new Set(['HSET', 'HSETNX', 'ZADD', 'PEXPIRE']);

/**
 * The writes of one call, made only while the agent's active lease (KEYS[1]) holds the value this instance was
 * given (ARGV[1]): the check and the writes are one script, so no takeover falls between them. KEYS[2..] are the
 * keys written; ARGV[2] the writes as JSON `[[command, key index, args...], ...]`.
 */
export const FENCED_WRITES_SCRIPT = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('${FENCED_REPLY} the active lease of this agent is held by another instance')
end
local ops = cjson.decode(ARGV[2])
for _, op in ipairs(ops) do
  local command = op[1]
  if command ~= 'HSET' and command ~= 'HSETNX' and command ~= 'ZADD' and command ~= 'PEXPIRE' then
    return redis.error_reply('ERR the fenced writes script does not run ' .. tostring(command))
  end
  redis.call(command, KEYS[op[2]], unpack(op, 3))
end
return #ops
`);

/** The script's keys and arguments for these writes under the lease `leaseKey` held as `holder`. */
export function fencedWritesCall(ops: readonly WriteOp[], leaseKey: string, holder: string): { keys: string[]; args: string[] } {
  const keys = [leaseKey];
  const indexOf = new Map<string, number>();
  const encoded = ops.map((op) => {
    if (!WRITE_COMMANDS.has(op.command)) throw new RangeError(`not a saver write: ${op.command}`);
    let index = indexOf.get(op.key);
    if (index === undefined) {
      keys.push(op.key);
      index = keys.length; // Lua's KEYS is 1-based
      indexOf.set(op.key, index);
    }
    return [op.command, index, ...op.args];
  });
  return { keys, args: [holder, JSON.stringify(encoded)] };
}
