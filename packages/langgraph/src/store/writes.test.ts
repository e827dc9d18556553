import { fencedWritesCall, type WriteOp } from './writes';

describe('fencedWritesCall', () => {
  it('names each key once, after the lease, and numbers the writes by Lua key index', () => {
    const ops: WriteOp[] = [
      { command: 'HSET', key: 'ckpt', args: ['id-1', 'record'] },
      { command: 'ZADD', key: 'idx', args: ['0', 'id-1'] },
      { command: 'PEXPIRE', key: 'ckpt', args: ['60000'] },
    ];
    expect(fencedWritesCall(ops, 'lease', '7 instance-a')).toEqual({
      keys: ['lease', 'ckpt', 'idx'],
      args: [
        '7 instance-a',
        JSON.stringify([
          ['HSET', 2, 'id-1', 'record'],
          ['ZADD', 3, '0', 'id-1'],
          ['PEXPIRE', 2, '60000'],
        ]),
      ],
    });
  });

  it('refuses a command the saver never sends', () => {
    expect(() => fencedWritesCall([{ command: 'DEL' as WriteOp['command'], key: 'k', args: [] }], 'lease', 'h')).toThrow('not a saver write: DEL');
  });
});
