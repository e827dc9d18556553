import { namespaceField, namespacesOf, threadHashPattern, threadKeys } from './keys';

describe('thread keys', () => {
  it('put every key of a thread under its hash tag', () => {
    const keys = threadKeys('order-7');
    for (const key of [keys.thread, keys.checkpoints(''), keys.index('child:1'), keys.writes('', 'c-1')]) {
      expect(key.startsWith('mesh:lg:{order-7}:')).toBe(true);
    }
  });

  it('keep namespaces and checkpoint ids with colons from meeting', () => {
    const keys = threadKeys('t');
    expect(keys.writes('a:b', 'c')).not.toBe(keys.writes('a', 'b:c'));
    expect(keys.checkpoints('x')).not.toBe(keys.index('x'));
  });

  it('read the namespaces back from the thread hash, the empty one included', () => {
    const hash = { id: 't', [namespaceField('')]: '1', [namespaceField('child:1|inner:2')]: '1' };
    expect(namespacesOf(hash).sort()).toEqual(['', 'child:1|inner:2']);
  });

  it('find thread hashes with a pattern that escapes glob characters of the prefix', () => {
    expect(threadHashPattern('app*')).toBe('app\\*:{*}:thread');
    expect(threadHashPattern()).toBe('mesh:lg:{*}:thread');
  });
});
