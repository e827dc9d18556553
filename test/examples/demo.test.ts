import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '@agentmesh/examples';
import { externalTestKafka } from '../support/kafka';

/**
 * The README's main job, small: four `mesh run` processes (built code:
 * packages/examples/dist and packages/cli/dist), invoices with failures
 * injected, and the closing table.
 */
describe('the invoice demo', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'agentmesh-demo-test-'));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('runs the agents as processes, settles every invoice and prints the table', async () => {
    let printed = '';
    const report = await runDemo({
      invoices: 30,
      settleTimeoutMs: 40_000,
      workDir,
      external: externalTestKafka(),
      failureRates: { transient: 0.1, permanent: 0.02, slow: 0 },
      env: { ...process.env, LOG_LEVEL: 'warn' },
      print: (text) => {
        printed += text;
      },
    });
    expect(report.missing).toEqual([]);
    expect(report.posted + report.deadLettered).toBe(30);
    expect(report.doublePostings).toBe(0);
    // About 12 retries are expected (0.1 of 30 invoices x 4 agents); none at all would mean nothing was injected.
    expect(report.retries).toBeGreaterThan(0);
    expect(report.successRateWithoutRetries).toBeCloseTo(0.88 ** 4, 10);
    expect(printed).toMatch(/published\s+30/);
    expect(printed).toMatch(/end-to-end success, without retries\s+60\.0%/);
    expect(printed).toMatch(/ocr: exit code 0, validation: exit code 0, po-matching: exit code 0, accounting: exit code 0/);
  }, 90_000);
});
