import { FrameReader, FrameTooLargeError } from './frame-reader';

const frame = (body: string) => {
  const b = Buffer.from(body);
  const f = Buffer.alloc(4 + b.length);
  f.writeInt32BE(b.length, 0);
  b.copy(f, 4);
  return f;
};

describe('FrameReader', () => {
  it('reassembles frames split at every byte boundary', () => {
    const stream = Buffer.concat([frame('hello'), frame(''), frame('world!')]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const r = new FrameReader(1024);
      const got = [...r.push(stream.subarray(0, cut)), ...r.push(stream.subarray(cut))].map((f) => f.toString());
      expect(got).toEqual(['hello', '', 'world!']);
    }
  });

  it('refuses an oversized or negative frame from its size alone', () => {
    const big = Buffer.alloc(4);
    big.writeInt32BE(2000, 0);
    expect(() => new FrameReader(1024).push(big)).toThrow(FrameTooLargeError);
    big.writeInt32BE(-5, 0);
    expect(() => new FrameReader(1024).push(big)).toThrow(FrameTooLargeError);
  });
});
