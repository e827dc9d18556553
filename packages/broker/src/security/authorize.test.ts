import { AclOperation, AclPermission, ANONYMOUS, CLUSTER_RESOURCE, PatternType, ResourceType, type AclBinding } from './acl';
import { authorize, authorizeAnyOfType } from './authorize';

const ALICE = { principal: 'User:alice', host: '10.0.0.1' };
const SUPER = new Set(['User:admin']);

function acl(overrides: Partial<AclBinding>): AclBinding {
  return {
    resourceType: ResourceType.TOPIC,
    resourceName: 'orders',
    patternType: PatternType.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: AclOperation.READ,
    permission: AclPermission.ALLOW,
    ...overrides,
  };
}

const topic = (name: string) => ({ type: ResourceType.TOPIC, name });

describe('authorize', () => {
  it('denies when no ACL matches (allow.everyone.if.no.acl.found=false)', () => {
    expect(authorize(ALICE, AclOperation.READ, topic('orders'), [], SUPER)).toBe('denied');
    expect(authorize({ principal: ANONYMOUS, host: '1.2.3.4' }, AclOperation.READ, topic('orders'), [acl({})], SUPER)).toBe('denied');
  });

  it('allows a literal match, and only for the operation granted', () => {
    const acls = [acl({})];
    expect(authorize(ALICE, AclOperation.READ, topic('orders'), acls, SUPER)).toBe('allowed');
    expect(authorize(ALICE, AclOperation.WRITE, topic('orders'), acls, SUPER)).toBe('denied');
    expect(authorize(ALICE, AclOperation.READ, topic('orders2'), acls, SUPER)).toBe('denied');
  });

  it('matches prefixed patterns and the literal wildcard', () => {
    const acls = [acl({ resourceName: 'app.', patternType: PatternType.PREFIXED, operation: AclOperation.WRITE }), acl({ resourceType: ResourceType.GROUP, resourceName: '*' })];
    expect(authorize(ALICE, AclOperation.WRITE, topic('app.orders'), acls, SUPER)).toBe('allowed');
    expect(authorize(ALICE, AclOperation.WRITE, topic('other.orders'), acls, SUPER)).toBe('denied');
    expect(authorize(ALICE, AclOperation.READ, { type: ResourceType.GROUP, name: 'any-group' }, acls, SUPER)).toBe('allowed');
  });

  it('lets DENY win over ALLOW, including a DENY of ALL', () => {
    const allow = acl({ resourceName: 'app.', patternType: PatternType.PREFIXED, operation: AclOperation.ALL });
    expect(authorize(ALICE, AclOperation.READ, topic('app.x'), [allow, acl({ resourceName: 'app.x', permission: AclPermission.DENY })], SUPER)).toBe('denied');
    expect(authorize(ALICE, AclOperation.WRITE, topic('app.x'), [allow, acl({ resourceName: 'app.x', operation: AclOperation.ALL, permission: AclPermission.DENY })], SUPER)).toBe('denied');
    // A DENY of READ does not take away DESCRIBE granted by ALL.
    expect(authorize(ALICE, AclOperation.DESCRIBE, topic('app.x'), [allow, acl({ resourceName: 'app.x', permission: AclPermission.DENY })], SUPER)).toBe('allowed');
  });

  it('derives DESCRIBE from READ/WRITE/DELETE/ALTER and DESCRIBE_CONFIGS from ALTER_CONFIGS', () => {
    for (const op of [AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER]) {
      expect(authorize(ALICE, AclOperation.DESCRIBE, topic('orders'), [acl({ operation: op })], SUPER)).toBe('allowed');
    }
    expect(authorize(ALICE, AclOperation.DESCRIBE_CONFIGS, topic('orders'), [acl({ operation: AclOperation.ALTER_CONFIGS })], SUPER)).toBe('allowed');
    expect(authorize(ALICE, AclOperation.READ, topic('orders'), [acl({ operation: AclOperation.DESCRIBE })], SUPER)).toBe('denied');
  });

  it('matches the principal wildcard and the host', () => {
    expect(authorize(ALICE, AclOperation.READ, topic('orders'), [acl({ principal: 'User:*' })], SUPER)).toBe('allowed');
    expect(authorize(ALICE, AclOperation.READ, topic('orders'), [acl({ host: '10.0.0.1' })], SUPER)).toBe('allowed');
    expect(authorize(ALICE, AclOperation.READ, topic('orders'), [acl({ host: '10.0.0.2' })], SUPER)).toBe('denied');
  });

  it('lets super users bypass every ACL, denies included', () => {
    const admin = { principal: 'User:admin', host: '10.0.0.9' };
    const denyAll = acl({ principal: 'User:*', resourceName: '*', operation: AclOperation.ALL, permission: AclPermission.DENY });
    expect(authorize(admin, AclOperation.DELETE, topic('orders'), [denyAll], SUPER)).toBe('allowed');
    expect(authorize(admin, AclOperation.ALTER, { type: ResourceType.CLUSTER, name: CLUSTER_RESOURCE }, [], SUPER)).toBe('allowed');
  });
});

describe('authorizeAnyOfType', () => {
  it('allows when some topic grants WRITE and no wildcard DENY shuts them all', () => {
    const write = acl({ resourceName: 'app.', patternType: PatternType.PREFIXED, operation: AclOperation.WRITE });
    expect(authorizeAnyOfType(ALICE, AclOperation.WRITE, ResourceType.TOPIC, [write], SUPER)).toBe('allowed');
    expect(authorizeAnyOfType(ALICE, AclOperation.WRITE, ResourceType.TOPIC, [acl({})], SUPER)).toBe('denied');
    expect(authorizeAnyOfType(ALICE, AclOperation.WRITE, ResourceType.TOPIC, [write, acl({ resourceName: '*', operation: AclOperation.WRITE, permission: AclPermission.DENY })], SUPER)).toBe('denied');
    expect(
      authorizeAnyOfType(
        ALICE,
        AclOperation.WRITE,
        ResourceType.TOPIC,
        [write, acl({ resourceName: 'app.', patternType: PatternType.PREFIXED, operation: AclOperation.WRITE, permission: AclPermission.DENY })],
        SUPER,
      ),
    ).toBe('denied');
  });
});
