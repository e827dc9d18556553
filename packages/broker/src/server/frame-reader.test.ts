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

describe('FrameReader chunking', () => {
  it('returns frames from every split of a stream into three chunks', () => {
    const bodies = ['a', '', 'bcdefgh', 'ijklmnopqrstuvwxyz', '0'];
    const stream = Buffer.concat(bodies.map(frame));
    for (let c1 = 0; c1 <= stream.length; c1++) {
      for (let c2 = c1; c2 <= stream.length; c2++) {
        const r = new FrameReader(1024);
        const got = [...r.push(stream.subarray(0, c1)), ...r.push(stream.subarray(c1, c2)), ...r.push(stream.subarray(c2))].map((f) => f.toString());
        expect(got).toEqual(bodies);
      }
    }
  });

  it('returns views of the chunk for frames it holds whole, and a frame of exactly its size otherwise', () => {
    const stream = Buffer.concat([frame('hello'), frame('world')]);
    const r = new FrameReader(1024);
    const whole = r.push(stream.subarray(0, 9 + 3));
    expect(whole.map((f) => f.toString())).toEqual(['hello']);
    expect(whole[0]!.buffer).toBe(stream.buffer);
    const joined = r.push(stream.subarray(12));
    expect(joined.map((f) => f.toString())).toEqual(['world']);
    expect(joined[0]!.byteLength).toBe(5);
  });

  it('keeps refusing after an oversized frame', () => {
    const r = new FrameReader(8);
    const big = Buffer.alloc(4);
    big.writeInt32BE(9, 0);
    expect(() => r.push(big)).toThrow(FrameTooLargeError);
    expect(() => r.push(frame('ok'))).toThrow(FrameTooLargeError);
  });
});
