import { defineAgent } from '../agent/define';
import { planAgentAcls } from './agent-plan';
import { AclPlanError, type AclPlan } from './plan';

const ocr = defineAgent({
  name: 'ocr',
  consumes: ['invoices.received'],
  produces: ['invoices.extracted'],
  retry: { delaysMs: [200, 1_000], maxAttempts: 3 },
  handle: () => undefined,
});

/** `TYPE name [PREFIXED]: OP, OP` per resource, for reading a plan at a glance. */
function grants(plan: AclPlan): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const b of plan.bindings) (out[`${b.resourceType} ${b.resourceName}${b.patternType === 'PREFIXED' ? ' PREFIXED' : ''}`] ??= []).push(b.operation);
  return out;
}

describe('planAgentAcls', () => {
  it("grants what the agent's process does with Kafka, and nothing else", () => {
    const plan = planAgentAcls(ocr);
    expect(plan.principal).toBe('User:ocr');
    expect(grants(plan)).toEqual({
      'TOPIC invoices.received': ['READ', 'DESCRIBE_CONFIGS'],
      'TOPIC ocr.retry.0': ['READ', 'WRITE', 'CREATE'],
      'TOPIC ocr.retry.1': ['READ', 'WRITE', 'CREATE'],
      'GROUP ocr': ['READ'],
      'TOPIC invoices.extracted': ['WRITE'],
      'TOPIC ocr.dlq': ['WRITE', 'CREATE'],
      'TOPIC mesh.heartbeats': ['WRITE'],
      'CLUSTER kafka-cluster': ['IDEMPOTENT_WRITE'],
      'TOPIC mesh.control': ['READ', 'WRITE', 'CREATE'],
      'GROUP mesh-chaos.ocr. PREFIXED': ['READ'],
    });
    expect(plan.bindings.every((b) => b.permission === 'ALLOW' && b.host === '*' && b.principal === 'User:ocr' && b.why.length > 0)).toBe(true);
    // Literal names only (but the chaos groups, one per instance): another agent's topics are never covered.
    expect(plan.bindings.filter((b) => b.patternType === 'PREFIXED').map((b) => b.resourceName)).toEqual(['mesh-chaos.ocr.']);
    expect(plan.topicsToCreateFirst).toEqual(['invoices.received', 'invoices.extracted', 'mesh.heartbeats']);
  });

  it('leaves the chaos listener out when asked, and takes another principal', () => {
    const plan = planAgentAcls(ocr, { principal: 'User:CN=ocr.prod', chaosControl: false });
    expect(plan.bindings.some((b) => b.resourceName.includes('mesh-chaos') || b.resourceName === 'mesh.control')).toBe(false);
    expect(new Set(plan.bindings.map((b) => b.principal))).toEqual(new Set(['User:CN=ocr.prod']));
  });

  it('follows the retry policy: a tier per delay, and a group reading each', () => {
    const many = defineAgent({ name: 'm', consumes: ['a', 'b'], produces: [], retry: { delaysMs: [1, 2, 3, 4] }, handle: () => undefined });
    const read = planAgentAcls(many, { chaosControl: false })
      .bindings.filter((b) => b.operation === 'READ' && b.resourceType === 'TOPIC')
      .map((b) => b.resourceName);
    expect(read).toEqual(['a', 'b', 'm.retry.0', 'm.retry.1', 'm.retry.2', 'm.retry.3']);
  });

  it('refuses a principal that is not Type:name', () => {
    expect(() => planAgentAcls(ocr, { principal: 'ocr' })).toThrow(AclPlanError);
    expect(() => planAgentAcls(ocr, { principal: 'User:' })).toThrow("principal 'User:' is not Type:name (e.g. User:ocr)");
  });
});
