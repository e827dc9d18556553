import { Header, type Headers } from '@agentmesh/runtime';
import { readDeadLetter, type DeadLetter, type DlqRecord } from '../../src/commands/dlq/dead-letter';

/** A DLQ record as the worker writes one, for the unit tests of the pure parts. */
export function deadLetterRecord(overrides: Partial<DlqRecord> = {}, headers: Headers = {}): DlqRecord {
  return {
    topic: 'billing.dlq',
    partition: 0,
    offset: '7',
    timestamp: String(Date.parse('2025-06-01T12:00:00Z')),
    key: Buffer.from('order-1'),
    value: Buffer.from('{"n":1}'),
    headers: {
      [Header.eventId]: 'event-1',
      [Header.agent]: 'billing',
      [Header.attempt]: '3',
      [Header.originalTopic]: 'orders',
      [Header.originalPartition]: '2',
      [Header.originalOffset]: '41',
      [Header.originalTimestamp]: '1748779000000',
      [Header.firstFailedAt]: '1748779100000',
      [Header.errorKind]: 'transient',
      [Header.errorClass]: 'TimeoutError',
      [Header.errorMessage]: 'erp did not answer within 5000 ms',
      [Header.errorStack]: 'TimeoutError: erp did not answer\n    at x',
      [Header.failureHistory]: JSON.stringify(
        [1, 2, 3].map((attempt) => ({ attempt, at: 1748779100000 + attempt, kind: 'transient', errorClass: 'TimeoutError', message: 'erp did not answer within 5000 ms', agent: 'billing' })),
      ),
      ...headers,
    },
    ...overrides,
  };
}

export function deadLetter(overrides: Partial<DlqRecord> = {}, headers: Headers = {}): DeadLetter {
  return readDeadLetter(deadLetterRecord(overrides, headers));
}
