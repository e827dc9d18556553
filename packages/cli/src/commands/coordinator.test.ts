import { defineSaga, SagaDefinitionError, type Saga } from '@agentmesh/coordinator';
import { UsageError } from '../options';
import { describePartitions, loadSagas } from './coordinator';

const saga = (name: string): Saga => defineSaga({ name, trigger: `${name}.trigger`, steps: [{ name: 'a', command: `${name}.a` }] });

describe('loadSagas', () => {
  it('requires --sagas, naming the flag and giving an example', () => {
    expect(() => loadSagas([])).toThrow(UsageError);
    expect(() => loadSagas([])).toThrow(/--sagas <module> is required.*e\.g\. mesh coordinator --sagas \.\/sagas\/order\.js/);
  });

  it('gathers the sagas of every module once', () => {
    const a = saga('a');
    const b = saga('b');
    const modules: Record<string, Saga[]> = { './one.js': [a], './two.js': [a, b] };
    expect(loadSagas(['./one.js', './two.js'], (p) => modules[p]!).map((s) => s.name)).toEqual(['a', 'b']);
  });

  it('turns a module that cannot be loaded into one line naming it', () => {
    const load = () => {
      throw new SagaDefinitionError("cannot load saga module /x/nope.js: Cannot find module '/x/nope.js'\nRequire stack:\n- /somewhere");
    };
    expect(() => loadSagas(['./nope.js'], load)).toThrow(new UsageError("--sagas ./nope.js: cannot load saga module /x/nope.js: Cannot find module '/x/nope.js'"));
  });

  it('refuses two sagas of one name', () => {
    expect(() => loadSagas(['m'], () => [saga('a'), saga('a')])).toThrow(/two sagas are named 'a'/);
  });
});

describe('describePartitions', () => {
  it.each([
    [[], 'none'],
    [[3], '3'],
    [[1, 0], '0,1'],
    [[5, 4, 3, 2, 1, 0], '0-5'],
    [[0, 2, 4], '0,2,4'],
  ])('%j is %s', (partitions, text) => {
    expect(describePartitions(partitions)).toBe(text);
  });
});
