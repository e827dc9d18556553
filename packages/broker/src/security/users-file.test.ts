import { loadUsersFile, parseUsersFile, UsersFileError } from './users-file';

describe('SASL users file', () => {
  it('reads users with defaults for mechanisms and iterations', () => {
    expect(parseUsersFile('{"users":[{"name":"alice","password":"pw"},{"name":"bob","password":"x","mechanisms":["SCRAM-SHA-512"],"iterations":8192}]}', 'u.json')).toEqual([
      { name: 'alice', password: 'pw', mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-512'], iterations: 4096 },
      { name: 'bob', password: 'x', mechanisms: ['SCRAM-SHA-512'], iterations: 8192 },
    ]);
  });

  it('refuses malformed files with one line naming the file and the user', () => {
    expect(() => parseUsersFile('{', 'u.json')).toThrow(/SASL users file u.json is not JSON/);
    expect(() => parseUsersFile('[]', 'u.json')).toThrow(/needs \{"users"/);
    expect(() => parseUsersFile('{"users":[{"password":"x"}]}', 'u.json')).toThrow(/user #1: "name"/);
    expect(() => parseUsersFile('{"users":[{"name":"a"}]}', 'u.json')).toThrow(/user #1 \(a\): "password"/);
    expect(() => parseUsersFile('{"users":[{"name":"a","password":"x","mechanisms":["PLAIN"]}]}', 'u.json')).toThrow(/"mechanisms"/);
    expect(() => parseUsersFile('{"users":[{"name":"a","password":"x","iterations":10}]}', 'u.json')).toThrow(/"iterations" must be an integer from 4096 to 16384/);
  });

  it('says plainly when the file does not exist', () => {
    expect(() => loadUsersFile('/nonexistent/users.json')).toThrow(new UsersFileError('SASL users file /nonexistent/users.json does not exist'));
  });
});
