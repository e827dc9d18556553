import { DEFAULT_PROJECT_DIR, initArguments } from './index';

describe('initArguments', () => {
  it('passes the directory and flags to mesh init', () => {
    expect(initArguments(['shop'])).toEqual(['init', 'shop']);
    expect(initArguments(['shop', '--name', '@acme/shop'])).toEqual(['init', 'shop', '--name', '@acme/shop']);
  });

  it(`makes ./${DEFAULT_PROJECT_DIR} when no directory is given, not the working directory`, () => {
    expect(initArguments([])).toEqual(['init', DEFAULT_PROJECT_DIR]);
    expect(initArguments(['--from-tarballs', '/tmp/tgz'])).toEqual(['init', '--from-tarballs', '/tmp/tgz', DEFAULT_PROJECT_DIR]);
    expect(initArguments(['--name', 'shop'])).toEqual(['init', '--name', 'shop', DEFAULT_PROJECT_DIR]);
  });
});
