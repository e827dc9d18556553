import type { LuaScript } from '@agentmesh/runtime/internal';
import { BatchedScript, PerSagaScript, splitAnswers } from './batched-script';

const SCRIPT = new PerSagaScript(2, 1, `return A[1]`);

/** A runner that records each call and answers every saga with its argument, as the scripts would. */
function recordingRunner() {
  const calls: { script: LuaScript; keys: readonly string[]; args: ReadonlyArray<string | number> }[] = [];
  const run = async (script: LuaScript, keys: readonly string[], args: ReadonlyArray<string | number>) => {
    calls.push({ script, keys, args });
    return script === SCRIPT.single ? args[0] : [...args];
  };
  return { calls, run };
}

describe('PerSagaScript', () => {
  test('the single script runs the body on KEYS and ARGV; the many script on each slice, in order', () => {
    expect(SCRIPT.single.source).toContain('return run(KEYS, ARGV)');
    expect(SCRIPT.many.source).toContain('#KEYS / 2');
    expect(SCRIPT.many.source).toContain('A[j] = ARGV[i * 1 + j]');
    expect(SCRIPT.single.sha1).not.toBe(SCRIPT.many.sha1);
  });
});

describe('BatchedScript', () => {
  test('calls asked for in one turn go as one call, each caller getting its own answer', async () => {
    const { calls, run } = recordingRunner();
    const batched = new BatchedScript(SCRIPT, run);
    const answers = await Promise.all([batched.run(['a1', 'a2'], ['A']), batched.run(['b1', 'b2'], ['B']), batched.run(['c1', 'c2'], ['C'])]);
    expect(answers).toEqual(['A', 'B', 'C']);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.script).toBe(SCRIPT.many);
    expect(calls[0]!.keys).toEqual(['a1', 'a2', 'b1', 'b2', 'c1', 'c2']);
  });

  test('a lone call uses the single script', async () => {
    const { calls, run } = recordingRunner();
    const batched = new BatchedScript(SCRIPT, run);
    expect(await batched.run(['a1', 'a2'], ['A'])).toBe('A');
    expect(calls.map((c) => c.script)).toEqual([SCRIPT.single]);
  });

  test('calls of later turns go in later calls; a group is split at the bound', async () => {
    const { calls, run } = recordingRunner();
    const batched = new BatchedScript(SCRIPT, run, 2);
    const first = Promise.all([batched.run(['a', 'a'], [1]), batched.run(['b', 'b'], [2]), batched.run(['c', 'c'], [3])]);
    expect(await first).toEqual([1, 2, 3]);
    expect(await batched.run(['d', 'd'], [4])).toBe(4);
    expect(calls.map((c) => c.keys.length / 2)).toEqual([2, 1, 1]);
  });

  test('a failed call fails every saga in it, and only those', async () => {
    let failNext = true;
    const batched = new BatchedScript(SCRIPT, async (script, _keys, args) => {
      if (failNext) {
        failNext = false;
        throw new Error('connection lost');
      }
      return script === SCRIPT.single ? args[0] : [...args];
    });
    const failed = await Promise.allSettled([batched.run(['a', 'a'], [1]), batched.run(['b', 'b'], [2])]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await batched.run(['c', 'c'], [3])).toBe(3);
  });

  test('a call with the wrong number of keys or arguments is refused, not sent', async () => {
    const { calls, run } = recordingRunner();
    const batched = new BatchedScript(SCRIPT, run);
    await expect(batched.run(['only-one'], ['A'])).rejects.toThrow('expected 2 keys and 1 arguments, got 1 and 1');
    expect(calls).toHaveLength(0);
  });
});

test('splitAnswers refuses an answer that does not have one entry per saga', () => {
  expect(splitAnswers(['ok', 'conflict'], 2)).toEqual(['ok', 'conflict']);
  expect(() => splitAnswers(['ok'], 2)).toThrow('expected 2 answers, got 1');
  expect(() => splitAnswers('ok', 2)).toThrow('expected 2 answers, got string');
});
