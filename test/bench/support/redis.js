'use strict';
// The driver's Redis client: connecting (bounded), the server's pid for /proc sampling, deleting a run's keys.
const { withTimeout, procCpuMs } = require('./processes');

/** A client that connects when told to (errors surface on calls, not as events). */
function redisClient(Redis, url) {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
  redis.on('error', () => {});
  return redis;
}

/** Connects (bounded); resolves to the server's pid, or null where its /proc is not visible from here. */
async function connectRedis(redis, url) {
  await withTimeout(redis.connect(), 5000, `Redis at ${url}`);
  const m = /process_id:(\d+)/.exec(await redis.info('server'));
  const pid = m ? Number(m[1]) : null;
  return pid && procCpuMs(pid) === null ? null : pid; // not visible from here (container, other host)
}

/** Deletes the keys under `prefix:` (SCAN `count` at a time, bounded by `timeoutMs`); resolves to how many. */
async function deleteKeys(redis, prefix, { count, timeoutMs }) {
  let deleted = 0;
  await withTimeout(
    (async () => {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', count);
        cursor = next;
        if (keys.length > 0) deleted += await redis.del(...keys);
      } while (cursor !== '0');
    })(),
    timeoutMs,
    'Redis cleanup',
  ).catch((err) => console.error(`could not delete all ${prefix}:* keys: ${err.message}`));
  return deleted;
}

module.exports = { redisClient, connectRedis, deleteKeys };
