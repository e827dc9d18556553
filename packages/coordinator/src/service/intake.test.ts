import type { KafkaMessage } from 'kafkajs';
import { messagesBySaga, NOT_OWNER_RETRY_MS, retryAfterMs, SATURATED_RETRY_MS, STORE_RETRY_MS } from './intake';

const message = (offset: number, key: string | null): KafkaMessage => ({
  offset: String(offset),
  key: key === null ? null : Buffer.from(key),
  value: null,
  timestamp: '0',
  attributes: 0,
  headers: {},
});

describe('messagesBySaga', () => {
  it("keeps each saga's replies in batch order, sagas in order of first appearance", () => {
    const groups = messagesBySaga([message(1, 's1'), message(2, 's2'), message(3, 's1'), message(4, null)]);
    expect(groups.map((g) => g.map((m) => m.offset))).toEqual([['1', '3'], ['2'], ['4']]);
  });
});

describe('retryAfterMs', () => {
  it('waits longer for a store outage than for a rebalance, briefly when saturated, and not at all otherwise', () => {
    expect(retryAfterMs('store-down')).toBe(STORE_RETRY_MS);
    expect(retryAfterMs('not-owner')).toBe(NOT_OWNER_RETRY_MS);
    expect(retryAfterMs('saturated')).toBe(SATURATED_RETRY_MS);
    expect(SATURATED_RETRY_MS).toBeLessThan(NOT_OWNER_RETRY_MS);
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
