import { InvalidStateKeyError } from './errors';
import { agentStatePattern, assertStateAgent, assertStateKey, escapeGlob, stateKeyFromRedisKey, stateRedisKey } from './keys';

describe('state keys', () => {
  it('are hashes under the agent as hash tag', () => {
    expect(stateRedisKey('mesh:state', 'planner', 'memory:user-1')).toBe('mesh:state:{planner}:memory:user-1');
    expect(agentStatePattern('mesh:state', 'planner')).toBe('mesh:state:{planner}:*');
    expect(stateKeyFromRedisKey('mesh:state', 'planner', 'mesh:state:{planner}:memory:user-1')).toBe('memory:user-1');
    expect(stateKeyFromRedisKey('mesh:state', 'planner', 'mesh:state:{planner-2}:x')).toBeUndefined();
  });

  it('escape what SCAN would read as a pattern', () => {
    expect(escapeGlob('a*b?c[d]e\\f')).toBe('a\\*b\\?c\\[d\\]e\\\\f');
    expect(agentStatePattern('p[1]', 'a')).toBe('p\\[1\\]:{a}:*');
  });

  it('refuse keys and agents that cannot name state', () => {
    expect(() => assertStateKey('')).toThrow(InvalidStateKeyError);
    expect(() => assertStateKey('a\nb')).toThrow(/control characters/);
    expect(() => assertStateKey('x'.repeat(513))).toThrow(/longer than 512/);
    expect(() => assertStateKey('user:1/profile')).not.toThrow();
    expect(() => assertStateAgent('a}b')).toThrow(InvalidStateKeyError);
    expect(() => assertStateAgent('')).toThrow(InvalidStateKeyError);
    expect(() => assertStateAgent('planner-1')).not.toThrow();
  });
});
