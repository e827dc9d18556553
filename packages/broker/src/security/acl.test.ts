import { AclOperation, AclPermission, aclBindingProblem, aclMatchesFilter, PatternType, ResourceType, type AclBinding, type AclFilter } from './acl';
import { AclStore } from './acl-store';

const binding = (overrides: Partial<AclBinding> = {}): AclBinding => ({
  resourceType: ResourceType.TOPIC,
  resourceName: 'app.',
  patternType: PatternType.PREFIXED,
  principal: 'User:alice',
  host: '*',
  operation: AclOperation.WRITE,
  permission: AclPermission.ALLOW,
  ...overrides,
});

const ANY: AclFilter = { resourceType: ResourceType.ANY, resourceName: null, patternType: PatternType.ANY, principal: null, host: null, operation: AclOperation.ANY, permission: AclPermission.ANY };

describe('ACL filters (Kafka AclBindingFilter)', () => {
  it('match everything with ANY and nulls', () => {
    expect(aclMatchesFilter(binding(), ANY)).toBe(true);
  });

  it('MATCH finds the bindings that apply to a literal name: exact, wildcard and prefixes', () => {
    const match = { ...ANY, resourceName: 'app.orders', patternType: PatternType.MATCH };
    expect(aclMatchesFilter(binding(), match)).toBe(true);
    expect(aclMatchesFilter(binding({ resourceName: '*', patternType: PatternType.LITERAL }), match)).toBe(true);
    expect(aclMatchesFilter(binding({ resourceName: 'app.orders', patternType: PatternType.LITERAL }), match)).toBe(true);
    expect(aclMatchesFilter(binding({ resourceName: 'other.', patternType: PatternType.PREFIXED }), match)).toBe(false);
  });

  it('LITERAL and PREFIXED filters need the same pattern type and name; ANY only the name', () => {
    expect(aclMatchesFilter(binding(), { ...ANY, resourceName: 'app.', patternType: PatternType.LITERAL })).toBe(false);
    expect(aclMatchesFilter(binding(), { ...ANY, resourceName: 'app.', patternType: PatternType.PREFIXED })).toBe(true);
    expect(aclMatchesFilter(binding(), { ...ANY, resourceName: 'app.', patternType: PatternType.ANY })).toBe(true);
    expect(aclMatchesFilter(binding(), { ...ANY, principal: 'User:bob' })).toBe(false);
    expect(aclMatchesFilter(binding(), { ...ANY, operation: AclOperation.READ })).toBe(false);
  });
});

describe('ACL bindings', () => {
  it('refuse filters-only codes, bad principals and a misnamed cluster', () => {
    expect(aclBindingProblem(binding())).toBeNull();
    expect(aclBindingProblem(binding({ resourceType: ResourceType.ANY }))).toMatch(/resource type/);
    expect(aclBindingProblem(binding({ patternType: PatternType.MATCH }))).toMatch(/pattern type/);
    expect(aclBindingProblem(binding({ operation: AclOperation.ANY }))).toMatch(/operation/);
    expect(aclBindingProblem(binding({ permission: AclPermission.ANY }))).toMatch(/permission/);
    expect(aclBindingProblem(binding({ principal: 'alice' }))).toMatch(/Type:name/);
    expect(aclBindingProblem(binding({ resourceType: ResourceType.CLUSTER, resourceName: 'prod', patternType: PatternType.LITERAL }))).toMatch(/kafka-cluster/);
  });

  it('are stored once, listed and deleted by filter', () => {
    const store = new AclStore([], [binding(), binding()]);
    store.add(binding({ operation: AclOperation.READ }));
    expect(store.list(ANY)).toHaveLength(2);
    expect(store.delete({ ...ANY, operation: AclOperation.READ })).toEqual([binding({ operation: AclOperation.READ })]);
    expect(store.list(ANY)).toEqual([binding()]);
  });
});
