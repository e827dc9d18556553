import type { Ledger } from './ledger';
import { findScenario, SCENARIOS, type Scenario } from './scenarios';
import { judge, type Observations } from './verdict';

const scenario = (name: string): Scenario => findScenario(name)!;
const ledger = (over: Partial<Ledger> = {}): Ledger => ({ published: 10, processed: 10, degraded: 0, deadLettered: 0, invalidInput: 0, lost: 0, duplicateEffects: 0, ...over });
const seen = (over: Partial<Observations> = {}): Observations => ({ accepted: 2, refused: [], counters: {}, corruptPublished: 0, ...over });

describe('judge', () => {
  it('fails when no process accepted the command, saying why', () => {
    expect(judge(scenario('stopped-agent'), ledger(), seen({ accepted: 0, refused: [{ instanceId: 'i', reason: 'chaos is not enabled for billing' }] }))).toEqual({
      pass: false,
      reason: 'no agent accepted the chaos command: 1 process(es) refused it (chaos is not enabled for billing)',
    });
    expect(judge(scenario('stopped-agent'), ledger(), seen({ accepted: 0 })).reason).toMatch(/no process answered/);
  });

  it('fails on a lost event, and on duplicates except where a kill makes them expected', () => {
    expect(judge(scenario('load'), ledger({ processed: 9, lost: 1 }), seen()).reason).toBe('1 of 10 events lost');
    expect(judge(scenario('load'), ledger({ duplicateEffects: 2 }), seen()).pass).toBe(false);
    expect(judge(scenario('kill-replica'), ledger({ duplicateEffects: 2 }), seen({ restarted: true })).pass).toBe(true);
  });

  it("checks that each scenario's fault really happened", () => {
    expect(judge(scenario('dependency-delay'), ledger(), seen()).reason).toMatch(/breaker never opened/);
    expect(judge(scenario('dependency-delay'), ledger(), seen({ counters: { breakersOpened: 1 } })).pass).toBe(true);
    expect(judge(scenario('stopped-agent'), ledger(), seen()).reason).toBe('the agent never stopped consuming');
    expect(judge(scenario('kill-replica'), ledger(), seen({ restarted: false })).pass).toBe(false);
    expect(judge(scenario('redis-outage'), ledger(), seen()).reason).toMatch(/never felt the outage/);
    expect(judge(scenario('registry-outage'), ledger(), seen({ counters: { refusedCalls: 3 } })).pass).toBe(true);
  });

  it('corrupted-data: every corrupted record as invalid-input, and no valid event dead-lettered', () => {
    const corrupt = seen({ corruptPublished: 2 });
    expect(judge(scenario('corrupted-data'), ledger({ published: 12, deadLettered: 2, invalidInput: 2 }), corrupt).pass).toBe(true);
    expect(judge(scenario('corrupted-data'), ledger({ published: 12, deadLettered: 2, invalidInput: 1 }), corrupt).reason).toBe('1 of 2 corrupted records reached the DLQ as invalid-input');
    expect(judge(scenario('corrupted-data'), ledger({ published: 12, processed: 9, deadLettered: 3, invalidInput: 2 }), corrupt).reason).toBe('1 valid events dead-lettered');
  });

  it('every scenario has a unique name', () => {
    expect(new Set(SCENARIOS.map((s) => s.name)).size).toBe(SCENARIOS.length);
  });
});
