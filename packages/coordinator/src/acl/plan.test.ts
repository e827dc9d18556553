import { defineSaga } from '../saga/define';
import { planCoordinatorAcls } from './plan';

const signup = defineSaga({
  name: 'signup',
  trigger: 'accounts.signups',
  steps: [
    { name: 'create-user', command: 'users.create', compensation: 'users.delete' },
    { name: 'welcome', command: 'emails.welcome.send' },
  ],
});

describe('planCoordinatorAcls', () => {
  it("grants the coordinator's groups, saga topics and step topics, named literally", () => {
    const plan = planCoordinatorAcls([signup], { groupId: 'coord' });
    expect(plan.principal).toBe('User:coord');
    const ops = (type: string, name: string) => plan.bindings.filter((b) => b.resourceType === type && b.resourceName === name).map((b) => b.operation);
    expect(['coord', 'coord.triggers', 'coord.signals'].map((g) => ops('GROUP', g))).toEqual([['READ'], ['READ'], ['READ']]);
    expect(ops('TOPIC', 'saga.replies')).toEqual(['READ', 'WRITE', 'CREATE', 'DESCRIBE_CONFIGS']);
    expect(ops('TOPIC', 'accounts.signups')).toEqual(['READ']);
    expect(['users.create', 'users.delete', 'emails.welcome.send'].map((t) => ops('TOPIC', t))).toEqual([['WRITE'], ['WRITE'], ['WRITE']]);
    expect(ops('TOPIC', 'coord.dlq')).toEqual(['WRITE', 'CREATE']);
    expect(ops('CLUSTER', 'kafka-cluster')).toEqual(['IDEMPOTENT_WRITE']);
    expect(plan.bindings.every((b) => b.patternType === 'LITERAL')).toBe(true);
    expect(plan.topicsToCreateFirst).toEqual(['accounts.signups', 'users.create', 'users.delete', 'emails.welcome.send', 'mesh.heartbeats']);
  });

  it('defaults to the mesh-coordinator group and principal', () => {
    expect(planCoordinatorAcls([signup]).principal).toBe('User:mesh-coordinator');
  });
});
