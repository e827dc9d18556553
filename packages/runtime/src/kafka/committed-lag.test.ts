import { committedLag } from './committed-lag';

describe('committedLag', () => {
  const ends = new Map([
    [
      'orders',
      [
        { partition: 0, high: 10, low: 0 },
        { partition: 1, high: 7, low: 2 },
        { partition: 2, high: 5, low: 0 },
      ],
    ],
  ]);

  it('is the high watermark minus the committed offset, per assigned partition', () => {
    expect(
      committedLag(
        { orders: [0, 2] },
        ends,
        new Map([
          ['orders/0', 4],
          ['orders/2', 5],
        ]),
      ),
    ).toEqual([
      { topic: 'orders', partition: 0, lag: 6 },
      { topic: 'orders', partition: 2, lag: 0 },
    ]);
  });

  it('counts from the log start where nothing is committed', () => {
    expect(committedLag({ orders: [1] }, ends, new Map([['orders/1', -1]]))).toEqual([{ topic: 'orders', partition: 1, lag: 5 }]);
    expect(committedLag({ orders: [1] }, ends, new Map())).toEqual([{ topic: 'orders', partition: 1, lag: 5 }]);
  });

  it('skips partitions the cluster did not report', () => {
    expect(committedLag({ orders: [9], payments: [0] }, ends, new Map())).toEqual([]);
  });
});
