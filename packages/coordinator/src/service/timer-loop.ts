import type { Logger } from 'pino';
import { describeError } from '../errors';

/**
 * Runs `pass` every `everyMs`, one pass at a time. While passes keep failing (the saga store is
 * away) it waits `failingEveryMs` between them and says so once, not every time.
 */
export class TimerLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private failing = false;
  private stopped = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly everyMs: number,
    private readonly failingEveryMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.schedule(this.everyMs);
  }

  /** No pass starts after this; resolves when the one under way (if any) is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().then(
        () => {
          if (this.failing) this.logger.info('timer pass works again');
          this.failing = false;
          this.schedule(this.everyMs);
        },
        (error: unknown) => {
          if (!this.failing) this.logger.warn({ error: describeError(error) }, `timer pass failed; trying again every ${this.failingEveryMs} ms`);
          this.failing = true;
          this.schedule(this.failingEveryMs);
        },
      );
    }, delayMs);
  }
}
