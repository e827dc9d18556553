import { AclOperation, AclPermission, PatternType, ResourceType } from './acl';
import { scramCredential } from './scram';
import { parseSecurityState, SecurityStateError, serializeSecurityState, type SecurityState } from './security-state';

describe('security state file', () => {
  it('round-trips ACLs and salted credentials, and holds no password', () => {
    const state: SecurityState = {
      acls: [
        { resourceType: ResourceType.TOPIC, resourceName: 'app.', patternType: PatternType.PREFIXED, principal: 'User:a', host: '*', operation: AclOperation.READ, permission: AclPermission.ALLOW },
      ],
      credentials: [{ user: 'a', mechanism: 'SCRAM-SHA-512', credential: scramCredential('SCRAM-SHA-512', 'the-password', 4096) }],
    };
    const text = serializeSecurityState(state);
    expect(text).not.toContain('the-password');
    expect(parseSecurityState(text, 'f')).toEqual(state);
  });

  it('refuses a damaged file with one line naming it', () => {
    expect(() => parseSecurityState('{', '/d/security.json')).toThrow(SecurityStateError);
    expect(() => parseSecurityState('{"version":2}', '/d/security.json')).toThrow('security state /d/security.json is not a version 1 state file');
    expect(() => parseSecurityState('{"version":1,"acls":[],"credentials":[{"user":"a","mechanism":"MD5"}]}', 'f')).toThrow(/unknown mechanism MD5 for user a/);
  });
});
