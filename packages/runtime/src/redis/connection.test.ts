import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { ensureRedisReady, reconnectDelayMs, redactRedisUrl, toStoreError } from './connection';
import { StoreCommandError, StoreUnavailableError } from './errors';

describe('redactRedisUrl', () => {
  it.each([
    ['redis://:s3cret@cache:6379/0', 'redis://:***@cache:6379/0'],
    ['redis://mesh:s3cret@cache:6379', 'redis://mesh:***@cache:6379'],
    ['rediss://default:p%40ss@cache.example.com:6380', 'rediss://default:***@cache.example.com:6380'],
    ['redis://cache:6379?password=s3cret&db=1', 'redis://cache:6379?password=***&db=1'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
  ])('%s -> %s', (url, redacted) => {
    expect(redactRedisUrl(url)).toBe(redacted);
  });

  it('hides the whole userinfo of a URL it cannot parse', () => {
    const redacted = redactRedisUrl('redis://user:s3cret@bad host:6379');
    expect(redacted).not.toContain('s3cret');
    expect(redacted).toBe('redis://***@bad host:6379');
  });
});

describe('reconnectDelayMs', () => {
  it('backs off from 100 ms up to the cap and stays there', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => reconnectDelayMs(attempt, 1000))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(reconnectDelayMs(10_000, 2000)).toBe(2000);
  });
});

describe('toStoreError', () => {
  const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });

  it('calls connection trouble and "not now" replies unavailable', () => {
    expect(toStoreError(new Error('Connection is closed.'), 'idempotency', 'claim')).toBeInstanceOf(StoreUnavailableError);
    expect(toStoreError(new Error('Command timed out'), 'idempotency', 'claim')).toBeInstanceOf(StoreUnavailableError);
    expect(toStoreError(reply('LOADING Redis is loading the dataset in memory'), 'checkpoint', 'load')).toBeInstanceOf(StoreUnavailableError);
  });

  it('calls other replies command errors, keeping the store and operation', () => {
    const error = toStoreError(reply('WRONGTYPE Operation against a key holding the wrong kind of value'), 'checkpoint', 'load');
    expect(error).toBeInstanceOf(StoreCommandError);
    expect(error.store).toBe('checkpoint');
    expect(error.message).toMatch(/^load: redis replied WRONGTYPE/);
  });
});

describe('ensureRedisReady', () => {
  /** Enough of an ioredis client for the wait: a status and its events. */
  function connecting(): Redis {
    const emitter = new EventEmitter() as EventEmitter & { status: string };
    emitter.status = 'connecting';
    return emitter as unknown as Redis;
  }

  it('lets many calls wait on one connection attempt with one listener pair, and releases them on ready', async () => {
    const redis = connecting();
    const waits = Array.from({ length: 50 }, () => ensureRedisReady(redis, 'idempotency', 5_000));
    expect(redis.listenerCount('ready')).toBe(1);
    expect(redis.listenerCount('close')).toBe(1);
    redis.emit('ready');
    await Promise.all(waits);
    expect(redis.listenerCount('ready')).toBe(0);
  });

  it('fails the waiting calls when the connection closes first, and each on its own deadline', async () => {
    const redis = connecting();
    const short = ensureRedisReady(redis, 'saga', 1);
    await expect(short).rejects.toThrow('redis not ready within 1 ms');
    const long = ensureRedisReady(redis, 'saga', 5_000);
    redis.emit('close');
    await expect(long).rejects.toThrow('closed before it was ready');
    expect(redis.listenerCount('close')).toBe(0);
  });
});
