import type { WriteBody } from './record';
import { orderWrites, writeIndexOf, type StoredWrite } from './write-order';

function write(taskId: string, taskPath: string, idx: number): StoredWrite {
  const body: WriteBody = { identity: { threadId: 't', namespace: '', checkpointId: 'c', write: `${taskId},${idx}` }, taskId, channel: 'ch', taskPath, value: { type: 'json', base64: '' } };
  return { idx, body };
}

describe('pending write order', () => {
  it('reads the index after the last comma, so task ids may hold commas', () => {
    expect(writeIndexOf('task,with,commas,3')).toBe(3);
    expect(writeIndexOf('task,-2')).toBe(-2);
    expect(writeIndexOf('no-index')).toBeUndefined();
    expect(writeIndexOf('task,x')).toBeUndefined();
  });

  it('sorts by task path, then task id, then index numerically; writes without a path first', () => {
    const ordered = orderWrites([write('b', '~1', 10), write('b', '~1', 2), write('a', '~2', 0), write('z', '', 0), write('a', '~1', 0)]);
    expect(ordered.map((w) => `${w.body.taskPath}/${w.body.taskId}/${w.idx}`)).toEqual(['/z/0', '~1/a/0', '~1/b/2', '~1/b/10', '~2/a/0']);
  });
});
