import { describeProblem, renderVerdict, verdictLine, type SagaFaultsVerdict } from './report';
import type { SagaProblem } from './verdict';

function verdict(fields: Partial<SagaFaultsVerdict> = {}): SagaFaultsVerdict {
  return {
    seed: 3,
    runId: 'f3-abc',
    signups: 40,
    ok: true,
    counts: { sagas: 40, completed: 31, compensated: 9, stuck: 0, notTerminal: 0, missing: 0 },
    problems: [],
    recoveryMs: 4_200,
    lastToEnd: { sagaId: 'signup-acc-f3-abc-0040', endedAt: 1 },
    ledgerRepeats: 2,
    ignoredReplies: { late: 3 },
    compensatedBy: { 'send-welcome-email failed': 6, 'send-welcome-email timed_out': 3 },
    unfinishedByPartition: {},
    plannedFaults: ['+1.00 s kill -9 signup-users, restart it 100 ms later'],
    events: [{ atMs: 1_010, what: 'kill -9 signup-users (killed by SIGKILL)' }],
    notes: [],
    publishMs: 5_000,
    faultsEndedMs: 8_000,
    recoveryBoundMs: 17_000,
    durationMs: 31_000,
    workDir: undefined,
    ...fields,
  };
}

const STUCK = { guarantee: 'terminal', sagaId: 'signup-acc-f3-abc-0007', status: 'running', message: 'not terminal: ...', effects: ['user.created'] } as const;

describe("a fault run's report", () => {
  it('is one line per seed: pass or fail, the outcomes, the recovery time', () => {
    expect(verdictLine(verdict())).toBe('seed 3: PASS  40 sagas: completed 31, compensated 9, stuck 0, not terminal 0, missing 0; last saga ended 4.2 s after the faults (bound 17.0 s); 31.0 s');
    const failed = verdict({ ok: false, counts: { sagas: 40, completed: 30, compensated: 8, stuck: 0, notTerminal: 2, missing: 0 }, problems: [{ ...STUCK, effects: [...STUCK.effects] }] });
    expect(verdictLine(failed)).toBe('seed 3: FAIL  40 sagas: completed 30, compensated 8, stuck 0, not terminal 2, missing 0; 2 saga(s) never ended; 31.0 s; problems: terminal 1');
  });

  it('tells the whole story on request: faults, notes, tallies, problems (cut per guarantee), where the logs are', () => {
    const problems: SagaProblem[] = Array.from({ length: 3 }, (_, i) => ({ ...STUCK, sagaId: `s${i}`, effects: [...STUCK.effects] }));
    problems.push({ guarantee: 'compensation-once', sagaId: 's9', status: 'compensated', message: 'twice', effects: [] });
    const text = renderVerdict(verdict({ ok: false, problems, notes: ['coordinator-1 never got ready'], unfinishedByPartition: { 2: 3 }, workDir: '/tmp/run' }), { maxProblems: 2 });
    expect(text).toContain('  faults planned:\n    +1.00 s kill -9 signup-users, restart it 100 ms later\n');
    expect(text).toContain('  faults as they happened:\n    +1.01 s  kill -9 signup-users (killed by SIGKILL)\n');
    expect(text).toContain('  notes:\n    coordinator-1 never got ready\n');
    expect(text).toContain('  compensated by: send-welcome-email failed 6, send-welcome-email timed_out 3\n');
    expect(text).toContain('replies ignored by the coordinators: late 3\n');
    expect(text).toContain('  not terminal by home partition (saga.replies): 2: 3\n');
    expect(text).toContain('  problems (terminal 3, compensation-once 1):\n    [terminal] s0 (running): not terminal: ...; effects: user.created\n    [terminal] s1 (running)');
    expect(text).toContain('    ... and 1 more [terminal]\n    [compensation-once] s9 (compensated): twice; effects: (none)\n');
    expect(text).toContain('  logs and data kept in /tmp/run\n');
  });

  it('shows a saga without effects as such', () => {
    expect(describeProblem({ ...STUCK, effects: [] })).toBe('[terminal] signup-acc-f3-abc-0007 (running): not terminal: ...; effects: (none)');
  });
});
