import { chooseProjectSchemas } from './project-schemas';

describe('chooseProjectSchemas', () => {
  test('a given directory wins over ./schemas', () => {
    expect(chooseProjectSchemas({ given: 'contracts', wanted: true, conventionalDirExists: true })).toEqual({ kind: 'dir', dir: 'contracts' });
  });

  test('./schemas is taken when it is there', () => {
    expect(chooseProjectSchemas({ wanted: true, conventionalDirExists: true })).toEqual({ kind: 'dir', dir: 'schemas' });
  });

  test('without ./schemas there are none, said in one line', () => {
    const choice = chooseProjectSchemas({ wanted: true, conventionalDirExists: false });
    const note = choice.kind === 'none' ? choice.note : '';
    expect(note).toMatch(/^no \.\/schemas here: starting with the mesh's own contracts only[^\n]*$/);
  });

  test('not wanted means none, even with a directory at hand', () => {
    const choice = chooseProjectSchemas({ given: 'contracts', wanted: false, conventionalDirExists: true });
    expect(choice.kind === 'none' ? choice.note : '').toContain('--no-contracts');
  });
});
