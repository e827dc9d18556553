import { Writer } from '../protocol/writer';
import { subscribedTopicsOf } from './consumer-subscription';

describe('subscribedTopicsOf', () => {
  it('reads the topics of consumer protocol metadata', () => {
    const w = new Writer();
    w.int16(1)
      .array(['orders', 'payments'], (x, t) => x.string(t))
      .nullableBytes(null);
    expect(subscribedTopicsOf(w.toBuffer())).toEqual(['orders', 'payments']);
  });

  it('names no topics for metadata that is not a consumer subscription', () => {
    expect(subscribedTopicsOf(Buffer.from([0, 1, 0xff]))).toEqual([]);
    expect(subscribedTopicsOf(Buffer.alloc(0))).toEqual([]);
  });
});
