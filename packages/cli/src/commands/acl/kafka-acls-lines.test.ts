import { AclOperationTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { AclPlanBuilder, type AclPlan } from '@agentmesh/runtime/internal';
import { aclEntries } from './apply';
import { aclPlanJson, kafkaAclsLines, shellWord } from './kafka-acls-lines';

const plan: AclPlan = new AclPlanBuilder('agent ocr', 'User:ocr')
  .allow('TOPIC', ['invoices.received', 'ocr.retry.0'], ['READ'], 'consumed')
  .allow('TOPIC', ['ocr.retry.0', 'ocr.dlq'], ['WRITE', 'CREATE'], 'own topics')
  .allow('TOPIC', ['invoices.received'], ['DESCRIBE_CONFIGS'], 'sizes')
  .allow('GROUP', ['mesh-chaos.ocr.'], ['READ'], 'chaos group', 'PREFIXED')
  .allow('CLUSTER', ['kafka-cluster'], ['IDEMPOTENT_WRITE'], 'idempotent')
  .expect(['invoices.received', 'ocr.dlq'])
  .build();

/** The bindings a kafka-acls.sh --add line creates: the cross product of its --operation and resource flags. */
function bindingsOf(line: string): string[] {
  const words = line.split(' ');
  const values = (flag: string) => words.flatMap((w, i) => (w === flag ? [words[i + 1]!] : []));
  const resources = [...values('--topic').map((t) => `TOPIC ${t}`), ...values('--group').map((g) => `GROUP ${g}`), ...(words.includes('--cluster') ? ['CLUSTER kafka-cluster'] : [])];
  const pattern = values('--resource-pattern-type')[0] ?? 'literal';
  return values('--operation').flatMap((op) => resources.map((r) => `${values('--allow-principal')[0]} ${op} ${r} ${pattern}`));
}

describe('kafkaAclsLines', () => {
  const lines = kafkaAclsLines(plan, { bootstrapServers: ['k1:9093', 'k2:9093'], commandConfig: '/etc/kafka/admin.properties' });
  const commands = lines.filter((l) => !l.startsWith('#'));

  it('grants exactly the plan, line by line, as kafka-acls.sh reads it', () => {
    const spelled = { READ: 'Read', WRITE: 'Write', CREATE: 'Create', DESCRIBE_CONFIGS: 'DescribeConfigs', IDEMPOTENT_WRITE: 'IdempotentWrite' } as Record<string, string>;
    const expected = plan.bindings.map((b) => `${b.principal} ${spelled[b.operation]} ${b.resourceType} ${b.resourceName} ${b.patternType.toLowerCase()}`);
    expect(commands.flatMap(bindingsOf).sort()).toEqual(expected.sort());
    for (const c of commands) expect(c).toMatch(/^kafka-acls\.sh --bootstrap-server k1:9093,k2:9093 --command-config \/etc\/kafka\/admin\.properties --add --allow-principal User:ocr /);
  });

  it('says why above each command, and which topics to create first', () => {
    expect(lines[0]).toBe('# agent ocr as User:ocr: 9 ACLs');
    expect(lines[1]).toBe('# topics it needs that an administrator creates first: invoices.received');
    expect(lines.filter((l) => l.startsWith('# ')).slice(2)).toEqual(['# consumed', '# own topics', '# sizes', '# chaos group', '# idempotent']);
  });

  it('quotes what the shell would split', () => {
    expect(shellWord('User:CN=ocr,O=acme')).toBe('User:CN=ocr,O=acme');
    expect(shellWord("User:it's me")).toBe(`'User:it'\\''s me'`);
  });
});

describe('aclPlanJson and aclEntries', () => {
  it("give each binding Kafka's names", () => {
    const json = JSON.parse(aclPlanJson(plan)) as { principal: string; topicsToCreateFirst: string[]; bindings: Array<Record<string, string>> };
    expect(json.principal).toBe('User:ocr');
    expect(json.topicsToCreateFirst).toEqual(['invoices.received']);
    expect(json.bindings[0]).toEqual({
      resourceType: 'TOPIC',
      resourceName: 'invoices.received',
      patternType: 'LITERAL',
      principal: 'User:ocr',
      host: '*',
      operation: 'READ',
      permission: 'ALLOW',
      why: 'consumed',
    });
  });

  it('map to kafkajs CreateAcls entries one for one', () => {
    const entries = aclEntries(plan);
    expect(entries).toHaveLength(plan.bindings.length);
    expect(entries.find((e) => e.resourceType === AclResourceTypes.GROUP)).toMatchObject({
      resourceName: 'mesh-chaos.ocr.',
      resourcePatternType: ResourcePatternTypes.PREFIXED,
      operation: AclOperationTypes.READ,
    });
    expect(entries.find((e) => e.resourceType === AclResourceTypes.CLUSTER)).toMatchObject({ resourceName: 'kafka-cluster', operation: AclOperationTypes.IDEMPOTENT_WRITE });
  });
});
