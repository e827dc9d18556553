import { countDeadLetter, emptySummary, renderSummaryTable, renderTable } from './summary';
import { deadLetter } from '../../../test/support/dead-letters';
import { Header } from '@agentmesh/runtime';

describe('the dlq ls summary', () => {
  it('counts by kind and keeps the oldest and newest', () => {
    const s = emptySummary('billing', 'billing.dlq');
    countDeadLetter(s, deadLetter({ timestamp: '2000' }));
    countDeadLetter(s, deadLetter({ timestamp: '1000' }, { [Header.errorKind]: 'permanent' }));
    countDeadLetter(s, deadLetter({ timestamp: '3000' }, { [Header.errorKind]: 'permanent' }));
    expect(s.total).toBe(3);
    expect(Object.fromEntries(s.byKind)).toEqual({ transient: 1, permanent: 2 });
    expect([s.oldestAt, s.newestAt]).toEqual([1000, 3000]);
  });

  it('renders one row per agent, a column per kind (known ones always), and a total', () => {
    const billing = emptySummary('billing', 'billing.dlq');
    countDeadLetter(billing, deadLetter({ timestamp: String(Date.parse('2025-06-01T12:00:00Z')) }, { [Header.errorKind]: 'permanent' }));
    const ocr = emptySummary('ocr', 'ocr.dlq');
    countDeadLetter(ocr, deadLetter({ timestamp: String(Date.parse('2025-06-02T12:00:00Z')) }));
    countDeadLetter(ocr, deadLetter({ timestamp: String(Date.parse('2025-06-01T12:00:00Z')) }, { [Header.errorKind]: 'cosmic-ray' }));
    const empty = emptySummary('accounting', 'accounting.dlq');
    billing.byState = { open: 1, replayed: 0, resolved: 0 };
    ocr.byState = { open: 0, replayed: 1, resolved: 1 };
    empty.byState = { open: 0, replayed: 0, resolved: 0 };
    expect(renderSummaryTable([ocr, billing, empty])).toBe(
      [
        'AGENT       DEAD LETTERS  OPEN  REPLAYED  RESOLVED  TRANSIENT  PERMANENT  TIMEOUT  INVALID-INPUT  INVALID-OUTPUT  COSMIC-RAY  NEWEST',
        'accounting  0             0     0         0         0          0          0        0              0               0           -',
        'billing     1             1     0         0         0          1          0        0              0               0           2025-06-01T12:00:00.000Z',
        'ocr         2             0     1         1         1          0          0        0              0               1           2025-06-02T12:00:00.000Z',
        'TOTAL       3             1     1         1         1          1          0        0              0               1           2025-06-02T12:00:00.000Z',
        '',
      ].join('\n'),
    );
  });

  it('shows ? for states it could not tell, in the agent row and the total', () => {
    const billing = emptySummary('billing', 'billing.dlq');
    countDeadLetter(billing, deadLetter({ timestamp: String(Date.parse('2025-06-01T12:00:00Z')) }));
    billing.stateNote = 'the store cannot be reached';
    const ocr = emptySummary('ocr', 'ocr.dlq');
    ocr.byState = { open: 0, replayed: 0, resolved: 0 };
    const [, ...rows] = renderSummaryTable([billing, ocr]).trimEnd().split('\n');
    expect(rows.map((r) => r.split(/\s+/).slice(0, 5))).toEqual([
      ['billing', '1', '?', '?', '?'],
      ['ocr', '0', '0', '0', '0'],
      ['TOTAL', '1', '?', '?', '?'],
    ]);
  });

  it('has no total row for one agent', () => {
    expect(
      renderSummaryTable([emptySummary('billing', 'billing.dlq')])
        .trimEnd()
        .split('\n'),
    ).toHaveLength(2);
  });

  it('aligns columns without trailing spaces', () => {
    expect(
      renderTable(
        ['A', 'LONG HEADER'],
        [
          ['wide cell', ''],
          ['x', 'y'],
        ],
      ),
    ).toBe('A          LONG HEADER\nwide cell\nx          y\n');
  });
});
