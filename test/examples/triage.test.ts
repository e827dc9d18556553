import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTriageDemo, uniqueSpend, withoutJournal } from '@agentmesh/examples';
import Redis from 'ioredis';
import { TEST_REDIS_URL } from '../support/redis';

/**
 * The support triage demo, small and seeded: the triage agent and the support desk as `mesh run` processes
 * (built code: packages/examples/dist and packages/cli/dist), the same six tickets twice, the second time with
 * the agent killed by SIGKILL during a ticket's third journaled step; then the reply sagas are approved (one
 * with `mesh saga signal`) or rejected.
 */
describe('the support triage demo', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'agentmesh-triage-test-'));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('journal saves the tokens of replayed steps, fallbacks answer invalid outputs, approvals are waited for', async () => {
    let printed = '';
    const { report, problems, keyPrefix } = await runTriageDemo({
      tickets: 6,
      seed: 21,
      latencyMs: 200,
      settleTimeoutMs: 60_000,
      redisUrl: TEST_REDIS_URL,
      workDir,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      print: (text) => void (printed += text),
    });
    // The run's sagas are of no further use: leave the shared Redis as found.
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    expect(problems).toEqual([]);

    // Journaled steps: the killed ticket's first two steps (and its neighbours') came back from the journal; the
    // crash cost only the calls in flight, so both runs made the same calls once each.
    const { noCrash, crash } = report;
    expect(crash.killedDuring).toEqual({ ticketId: expect.stringMatching(/-b-0\d$/) as unknown, step: 'draft-reply' });
    expect(crash.replayedSteps).toBeGreaterThanOrEqual(2);
    expect(crash.paidTwice).toBeGreaterThan(0); // the draft-reply call the kill interrupted, at least
    expect(uniqueSpend(crash)).toBe(uniqueSpend(noCrash));
    expect(crash.spent - crash.paidTwice).toBe(noCrash.spent - noCrash.paidTwice);
    expect(withoutJournal(crash)).toBeGreaterThan(crash.spent);

    // Validated outputs: with seed 21 the primary model's answer fails validation for three of the six tickets; the
    // backup model answers two, the keyword rules the one it fails too.
    expect(report.answeredBy).toEqual({ handler: 3, 'backup-model': 2, 'keyword-rules': 1 });

    // Human approval: every saga waited at approve-reply, then went on (or was turned back) on the signal.
    expect(report.approvals).toMatchObject({ waited: 12, approved: 11, rejected: 1, completed: 11, compensated: 1, repliesSent: 11, unsettled: 0 });
    expect(printed).toMatch(/applied: approved/);
    expect(printed).toMatch(/WAITING\s+approve-reply: for a signal until/);
    expect(printed).toMatch(/SIGNAL_APPLIED\s+approve-reply: approved/);
    expect(printed).toMatch(/support-triage: killed by SIGKILL, support-desk: exit code 0, support-triage: exit code 0/);
  }, 150_000);
});
