import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/** Where a process stops taking work before it falls over. */
export interface ResourceWatermarks {
  /** Heap used over the heap's limit (V8's heap_size_limit), 0..1. */
  heapUsedRatio?: number;
  /** Resident set size, bytes (off by default: a container's limit is the deployment's to say). */
  rssBytes?: number;
  /** How late the event loop ran the sampler's timer, ms: a loop blocked or saturated for that long. */
  eventLoopDelayMs?: number;
}

/** Defaults: 90% of the heap limit; an event loop a whole second late. */
export const DEFAULT_RESOURCE_WATERMARKS: Readonly<ResourceWatermarks> = Object.freeze({ heapUsedRatio: 0.9, eventLoopDelayMs: 1_000 });

/** Once over a watermark, consumption resumes only below this share of it (no flapping around the line). */
const LOW_WATERMARK_SHARE = 0.9;

export interface ResourceSample {
  heapUsedRatio: number;
  rssBytes: number;
  eventLoopDelayMs: number;
}

/**
 * Which watermark the sample is over (a stable reason, or undefined: none). One that was over stays so
 * until the sample falls below LOW_WATERMARK_SHARE of it.
 */
export function resourcePressure(sample: ResourceSample, limits: ResourceWatermarks, before: string | undefined): string | undefined {
  const checks: Array<[string, number, number | undefined]> = [
    [`heap above ${Math.round((limits.heapUsedRatio ?? 0) * 100)}% of its limit`, sample.heapUsedRatio, limits.heapUsedRatio],
    [`resident memory above ${limits.rssBytes ?? 0} bytes`, sample.rssBytes, limits.rssBytes],
    [`event-loop delay above ${limits.eventLoopDelayMs ?? 0} ms`, sample.eventLoopDelayMs, limits.eventLoopDelayMs],
  ];
  for (const [what, value, limit] of checks) {
    if (limit === undefined || limit <= 0) continue;
    const reason = `resource watermark: ${what}`;
    const line = reason === before ? limit * LOW_WATERMARK_SHARE : limit;
    if (value >= line) return reason;
  }
  return undefined;
}

export interface ResourceMonitorOptions {
  limits: ResourceWatermarks;
  /** How often the process is sampled. Default 1 s. */
  sampleEveryMs?: number;
  /** Called on every sample over a watermark (and never while under all of them). */
  onPressure(reason: string, sample: ResourceSample): void;
  /** Called once when a pressure ends. */
  onRelief?(reason: string): void;
}

/** Samples the process (heap, RSS, event-loop delay) and reports pressure; the worker pauses consumption on it. */
export class ResourceMonitor {
  private timer: NodeJS.Timeout | undefined;
  private lastAt = 0;
  private pressure: string | undefined;
  private readonly everyMs: number;

  constructor(private readonly options: ResourceMonitorOptions) {
    this.everyMs = options.sampleEveryMs ?? 1_000;
  }

  start(): void {
    this.lastAt = performance.now();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The pressure now, if any. */
  get current(): string | undefined {
    return this.pressure;
  }

  private sample(): void {
    const now = performance.now();
    const heap = getHeapStatistics();
    const sample: ResourceSample = {
      heapUsedRatio: heap.used_heap_size / heap.heap_size_limit,
      rssBytes: process.memoryUsage.rss(),
      // The timer was due everyMs after the last sample; whatever it is later than that, the loop was busy.
      eventLoopDelayMs: Math.max(0, now - this.lastAt - this.everyMs),
    };
    this.lastAt = now;
    const before = this.pressure;
    this.pressure = resourcePressure(sample, this.options.limits, before);
    if (this.pressure) this.options.onPressure(this.pressure, sample);
    else if (before) this.options.onRelief?.(before);
  }
}
