import { parseTriageDemoArgs } from './main';
import { renderTriageReport, tokenAccount, triageReportProblems, uniqueSpend, withoutJournal, type TriageReport } from './report';
import type { LlmCall } from './stand-in-llm';

const call = (ticketId: string, step: string, tokens: number): LlmCall => ({ ticketId, step, model: 'm', tokens, instance: 'p' });

describe('the triage report', () => {
  const calls = [call('a-1', 'classify', 10), call('a-1', 'summarize', 20), call('b-1', 'classify', 10), call('b-1', 'draft-reply', 30), call('b-1', 'draft-reply', 30), call('c-1', 'classify', 99)];
  const replayed = [{ ticketId: 'b-1', step: 'classify', tokens: 10 }];

  it('counts the tokens of a run: spent, paid twice, replayed from the journal', () => {
    const b = tokenAccount(calls, replayed, ['b-1']);
    expect(b).toEqual({ tickets: 1, calls: 3, spent: 70, paidTwice: 30, replayedSteps: 1, replayedTokens: 10 });
    expect(uniqueSpend(b)).toBe(40);
    expect(withoutJournal(b)).toBe(80);
    expect(tokenAccount(calls, replayed, ['a-1'])).toEqual({ tickets: 1, calls: 2, spent: 30, paidTwice: 0, replayedSteps: 0, replayedTokens: 0 });
  });

  const report = (fields: Partial<TriageReport> = {}): TriageReport => ({
    tickets: 2,
    seed: 21,
    noCrash: { tickets: 2, calls: 6, spent: 100, paidTwice: 0, replayedSteps: 0, replayedTokens: 0 },
    crash: { tickets: 2, calls: 7, spent: 120, paidTwice: 20, replayedSteps: 2, replayedTokens: 40, killedDuring: { ticketId: 'b-01', step: 'draft-reply' } },
    answeredBy: { handler: 1, 'backup-model': 1 },
    approvals: { waited: 4, approved: 3, approvedWithCli: 'ticket-reply:a-01', rejected: 1, completed: 3, compensated: 1, repliesSent: 3, unsettled: 0 },
    ...fields,
  });

  it('holds when the crash cost only the calls in flight and every approval was acted on', () => {
    expect(triageReportProblems(report())).toEqual([]);
    const text = renderTriageReport(report());
    expect(text).toMatch(/run with kill -9 of the agent\s+120 tokens in 7 calls \(killed during step 3 \(draft-reply\) of ticket b-01\)/);
    expect(text).toMatch(/the crashed run without a journal\s+160 tokens/);
    expect(text).toMatch(/answered by the backup model\s+1/);
  });

  it('names what broke', () => {
    const crash = { ...report().crash, spent: 150, replayedSteps: 0 };
    expect(triageReportProblems(report({ crash }))).toEqual(['the runs made different calls: 130 vs 100 tokens once each', 'no step was replayed from the journal after the crash']);
    const approvals = { ...report().approvals, waited: 3, repliesSent: 4, unsettled: 1 };
    expect(triageReportProblems(report({ approvals }))).toEqual(['3 of 4 sagas were seen waiting for approval', '3 approved, 3 completed, 4 replies sent', '1 sagas did not settle']);
  });

  it("parses the demo's flags, and refuses others with the usage", () => {
    expect(parseTriageDemoArgs(['--tickets', '4', '--seed', '3', '--latency-ms', '100', '--timeout', '30'])).toEqual({ help: false, tickets: 4, seed: 3, latencyMs: 100, settleTimeoutMs: 30_000 });
    expect(() => parseTriageDemoArgs(['--tickets', 'x'])).toThrow(/^--tickets needs a whole number >= 1\n\nusage:/);
    expect(() => parseTriageDemoArgs(['--crash'])).toThrow(/^unknown argument '--crash'/);
  });
});
