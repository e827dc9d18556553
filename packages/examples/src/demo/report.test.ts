import { OutcomeLedger } from './ledger';
import { buildReport, renderReport } from './report';

const rates = [
  { agent: 'ocr', rates: { transient: 0.05, permanent: 0.01, slow: 0.01 } },
  { agent: 'validation', rates: { transient: 0.05, permanent: 0.01, slow: 0.01 } },
  { agent: 'po-matching', rates: { transient: 0.05, permanent: 0.01, slow: 0.01 } },
  { agent: 'accounting', rates: { transient: 0.05, permanent: 0.01, slow: 0.01 } },
];

describe('the outcome ledger', () => {
  it('settles an invoice at its first posting or dead letter, and counts double postings', () => {
    const ledger = new OutcomeLedger(['a', 'b', 'c']);
    ledger.recordPosted({ invoiceId: 'a', eventId: 'pa', degraded: false });
    ledger.recordPosted({ invoiceId: 'a', eventId: 'pa', degraded: false }); // redelivery: same id
    ledger.recordPosted({ invoiceId: 'a', eventId: 'pa2', degraded: false }); // posted again under a new id
    ledger.recordDeadLetter({ agent: 'validation', invoiceId: 'b', eventId: 'vb', kind: 'permanent' });
    ledger.recordDeadLetter({ agent: 'validation', invoiceId: 'b', eventId: 'vb', kind: 'permanent' });
    ledger.recordPosted({ invoiceId: 'other-run', eventId: 'x', degraded: false });
    expect(ledger.fateOf('a')).toEqual({ kind: 'posted', degraded: false });
    expect(ledger.fateOf('b')).toEqual({ kind: 'dead-lettered', agent: 'validation', errorKind: 'permanent' });
    expect(ledger.unsettled()).toEqual(['c']);
    expect(ledger.isSettled).toBe(false);
    const s = ledger.snapshot();
    expect(s).toMatchObject({ published: 3, posted: 1, redeliveries: 1, doublePostings: 1, unsettled: ['c'] });
    expect(s.deadLetters).toHaveLength(1);
  });

  it('counts a retry once per event and attempt, and redeliveries on intermediate topics', () => {
    const ledger = new OutcomeLedger(['a']);
    ledger.recordRetry({ agent: 'ocr', eventId: 'e', attempt: 1 });
    ledger.recordRetry({ agent: 'ocr', eventId: 'e', attempt: 1 });
    ledger.recordRetry({ agent: 'ocr', eventId: 'e', attempt: 2 });
    expect(ledger.recordDelivery('invoices.extracted', 'x')).toBe(true);
    expect(ledger.recordDelivery('invoices.extracted', 'x')).toBe(false);
    expect(ledger.recordDelivery('invoices.validated', 'x')).toBe(true);
    expect(ledger.snapshot()).toMatchObject({ retriesByAgent: { ocr: 2 }, redeliveries: 1 });
  });

  it('wakes its waiters when the last invoice settles, and times out otherwise', async () => {
    const ledger = new OutcomeLedger(['a', 'b']);
    const settled = ledger.whenSettled(5_000);
    ledger.recordPosted({ invoiceId: 'a', eventId: '1', degraded: true });
    expect(await ledger.whenSettled(10)).toBe(false);
    ledger.recordDeadLetter({ agent: 'ocr', invoiceId: 'b', eventId: '2', kind: 'timeout' });
    expect(await settled).toBe(true);
    expect(await ledger.whenSettled(10)).toBe(true);
  });
});

describe('the demo report', () => {
  function scenario() {
    const ids = Array.from({ length: 10 }, (_, i) => `inv-${i}`);
    const ledger = new OutcomeLedger(ids);
    for (const id of ids.slice(0, 7)) ledger.recordPosted({ invoiceId: id, eventId: `p-${id}`, degraded: id === 'inv-3' || id === 'inv-4' });
    ledger.recordDeadLetter({ agent: 'accounting', invoiceId: 'inv-7', eventId: 'a7', kind: 'permanent' });
    ledger.recordDeadLetter({ agent: 'ocr', invoiceId: 'inv-8', eventId: 'o8', kind: 'permanent' });
    ledger.recordDeadLetter({ agent: 'ocr', invoiceId: 'inv-9', eventId: 'o9', kind: 'timeout' });
    ledger.recordRetry({ agent: 'validation', eventId: 'v1', attempt: 1 });
    ledger.recordRetry({ agent: 'ocr', eventId: 'o1', attempt: 1 });
    ledger.recordRetry({ agent: 'ocr', eventId: 'o1', attempt: 2 });
    return ledger;
  }

  it('counts outcomes, groups dead letters by agent (pipeline order) and reason, and computes both success rates', () => {
    const report = buildReport(scenario().snapshot(), rates, 12_345);
    expect(report).toMatchObject({ published: 10, posted: 7, degraded: 2, deadLettered: 3, retries: 3, redeliveries: 0, doublePostings: 0, missing: [], successRate: 0.7, elapsedMs: 12_345 });
    expect(report.deadLetters).toEqual([
      { agent: 'ocr', kind: 'permanent', count: 1 },
      { agent: 'ocr', kind: 'timeout', count: 1 },
      { agent: 'accounting', kind: 'permanent', count: 1 },
    ]);
    expect(report.retriesByAgent).toEqual([
      { agent: 'ocr', retries: 2 },
      { agent: 'validation', retries: 1 },
      { agent: 'po-matching', retries: 0 },
      { agent: 'accounting', retries: 0 },
    ]);
    expect(report.successRateWithoutRetries).toBeCloseTo(0.93 ** 4, 10);
  });

  it('renders the table with every figure the README promises', () => {
    const text = renderReport(buildReport(scenario().snapshot(), rates, 12_345));
    expect(text).toMatch(/published\s+10/);
    expect(text).toMatch(/posted\s+7 {2}\(of which degraded: 2\)/);
    expect(text).toMatch(/in DLQ\s+3/);
    expect(text).toMatch(/ocr\.dlq, timeout\s+1/);
    expect(text).toMatch(/retries\s+3/);
    expect(text).toMatch(/duplicates seen and suppressed\s+0/);
    expect(text).toMatch(/invoices posted twice\s+0/);
    expect(text).toMatch(/with the mesh\s+70\.0%/);
    expect(text).toMatch(/without retries\s+74\.8%/);
    expect(text).not.toMatch(/missing/);
  });

  it('lists what is missing when the wait ended first', () => {
    const ledger = new OutcomeLedger(['a', 'b']);
    ledger.recordPosted({ invoiceId: 'a', eventId: '1', degraded: false });
    const text = renderReport(buildReport(ledger.snapshot(), rates, 1_000));
    expect(text).toMatch(/missing \(neither posted nor in a DLQ\)\s+1/);
    expect(text).toMatch(/Not settled within the wait: b/);
  });
});
