import { committableThrough } from './commit-prefix';

describe('committableThrough', () => {
  it('is the last offset of the handled run from the start', () => {
    expect(committableThrough(['4', '5', '6', '7'], new Set(['4', '5', '7']))).toBe('5');
  });

  it('is undefined when the first record is not handled', () => {
    expect(committableThrough(['4', '5'], new Set(['5']))).toBeUndefined();
  });

  it('covers the whole batch when all are handled', () => {
    expect(committableThrough(['4', '5'], new Set(['4', '5']))).toBe('5');
  });

  it('commits nothing for an empty batch', () => {
    expect(committableThrough([], new Set())).toBeUndefined();
  });
});
