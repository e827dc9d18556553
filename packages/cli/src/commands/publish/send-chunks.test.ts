import { sendChunks } from './send-chunks';

describe('sendChunks', () => {
  const size = (n: number) => n;

  it('cuts by count and by bytes, keeping order', () => {
    expect(sendChunks([1, 1, 1, 1, 1], size, 100, 2)).toEqual([[1, 1], [1, 1], [1]]);
    expect(sendChunks([40, 40, 40, 10], size, 100, 10)).toEqual([
      [40, 40],
      [40, 10],
    ]);
  });

  it('sends an item larger than the byte bound alone', () => {
    expect(sendChunks([10, 500, 10], size, 100, 10)).toEqual([[10], [500], [10]]);
  });

  it('makes no chunk of nothing', () => {
    expect(sendChunks([], size, 100, 10)).toEqual([]);
  });
});
