import { TestMeshError } from '../errors';
import { resolveClockMode, resolveRedis } from './options';

describe('test mesh options', () => {
  it('takes $REDIS_URL in auto mode and the in-process stores without it', () => {
    expect(resolveRedis('auto', { REDIS_URL: 'redis://somewhere:1234' })).toBe('redis://somewhere:1234');
    expect(resolveRedis(undefined, {})).toBeUndefined();
    expect(resolveRedis('auto', { REDIS_URL: '  ' })).toBeUndefined();
    expect(resolveRedis('memory', { REDIS_URL: 'redis://somewhere:1234' })).toBeUndefined();
    expect(resolveRedis('rediss://secure:6380', {})).toBe('rediss://secure:6380');
  });

  it('refuses what it cannot use with a one-line error', () => {
    expect(() => resolveRedis('localhost:6379', {})).toThrow(TestMeshError);
    expect(() => resolveClockMode('fast' as never)).toThrow(/clock: expected 'real', 'manual' or 'auto'/);
    expect(resolveClockMode(undefined)).toBe('real');
  });
});
