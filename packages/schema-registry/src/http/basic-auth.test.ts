import { basicAuthAllows, parseRegistryUsers, RegistryUsersFileError } from './basic-auth';

const header = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('registry basic auth', () => {
  const users = parseRegistryUsers('# users\nalice:pa:ss\n\nbob:b0b\n', 'users.txt');

  it('reads user:password lines, a password may hold a colon', () => {
    expect(users).toEqual([
      { username: 'alice', password: 'pa:ss' },
      { username: 'bob', password: 'b0b' },
    ]);
  });

  it('names the line that is not user:password, without quoting it', () => {
    expect(() => parseRegistryUsers('alice:x\nsecret-without-user\n', 'u.txt')).toThrow(new RegistryUsersFileError('u.txt: line 2 is not user:password'));
    expect(() => parseRegistryUsers('# none\n', 'u.txt')).toThrow('u.txt: no users');
  });

  it('accepts a known user and password only', () => {
    expect(basicAuthAllows(header('alice', 'pa:ss'), users)).toBe(true);
    expect(basicAuthAllows(header('bob', 'b0b'), users)).toBe(true);
    expect(basicAuthAllows(header('alice', 'wrong'), users)).toBe(false);
    expect(basicAuthAllows(header('carol', 'b0b'), users)).toBe(false);
    expect(basicAuthAllows('Bearer abc', users)).toBe(false);
    expect(basicAuthAllows(undefined, users)).toBe(false);
  });
});
