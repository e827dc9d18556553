import { hasPendingWork } from './kafka-idle';

describe("kafkajs's request queue, quieted when idle", () => {
  it('checks again only with a request waiting or a throttle to run out', () => {
    expect(hasPendingWork({ pending: [], throttledUntil: -1 }, 1_000)).toBe(false);
    expect(hasPendingWork({ pending: [], throttledUntil: 900 }, 1_000)).toBe(false);
    expect(hasPendingWork({ pending: [{}], throttledUntil: -1 }, 1_000)).toBe(true);
    expect(hasPendingWork({ pending: [], throttledUntil: 1_500 }, 1_000)).toBe(true);
  });
});
