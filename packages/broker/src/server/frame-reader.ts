/**
 * Cuts a TCP byte stream into size-prefixed frames. Refuses a frame whose
 * declared size is over the limit before buffering it, so a client cannot
 * make the broker allocate 2 GiB by sending four bytes.
 */
export class FrameTooLargeError extends Error {
  override readonly name = 'FrameTooLargeError';
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`frame of ${size} bytes exceeds the limit of ${limit} bytes`);
  }
}

/**
 * Frames that arrive whole inside one chunk are returned as views of it (no
 * copy); a frame split across chunks is copied once, into a buffer of its own
 * size, when its last byte arrives. Bytes of the next frame are never copied
 * along with it.
 */
export class FrameReader {
  /** Bytes of a size prefix split across chunks (headLength of them are valid). */
  private readonly head = Buffer.alloc(4);
  private headLength = 0;
  /** Body size of the frame being gathered, or -1 while its size prefix is incomplete. */
  private size = -1;
  /** Pieces of that frame's body received so far, and their total length. */
  private parts: Buffer[] = [];
  private gathered = 0;
  /** Once a size is refused, the stream cannot be resynchronised: every later push refuses it again. */
  private refused: FrameTooLargeError | null = null;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds bytes; returns every complete frame (without its size prefix). */
  push(data: Buffer): Buffer[] {
    if (this.refused) throw this.refused;
    const frames: Buffer[] = [];
    const end = data.length;
    let at = 0;
    for (;;) {
      if (this.size < 0) {
        if (this.headLength === 0 && end - at >= 4) {
          this.size = data.readInt32BE(at);
          at += 4;
        } else {
          while (this.headLength < 4 && at < end) this.head[this.headLength++] = data[at++]!;
          if (this.headLength < 4) break;
          this.headLength = 0;
          this.size = this.head.readInt32BE(0);
        }
        if (this.size < 0 || this.size > this.maxFrameBytes) throw (this.refused = new FrameTooLargeError(this.size, this.maxFrameBytes));
      }
      const missing = this.size - this.gathered;
      if (end - at < missing) {
        // Keep the rest of this chunk as a piece of the frame; it is copied once the frame is complete.
        if (at < end) {
          this.parts.push(at === 0 ? data : data.subarray(at));
          this.gathered += end - at;
        }
        break;
      }
      if (this.gathered === 0) {
        frames.push(data.subarray(at, at + missing));
      } else {
        this.parts.push(data.subarray(at, at + missing));
        frames.push(Buffer.concat(this.parts, this.size));
        this.parts = [];
        this.gathered = 0;
      }
      at += missing;
      this.size = -1;
    }
    return frames;
  }
}
