import { resourcePressure, type ResourceSample } from './resource-watermark';

const calm: ResourceSample = { heapUsedRatio: 0.3, rssBytes: 100e6, eventLoopDelayMs: 5 };
const limits = { heapUsedRatio: 0.9, rssBytes: 500e6, eventLoopDelayMs: 1_000 };

describe('resourcePressure', () => {
  it('is none while every figure is under its watermark', () => {
    expect(resourcePressure(calm, limits, undefined)).toBeUndefined();
  });

  it('names the watermark crossed', () => {
    expect(resourcePressure({ ...calm, heapUsedRatio: 0.95 }, limits, undefined)).toBe('resource watermark: heap above 90% of its limit');
    expect(resourcePressure({ ...calm, rssBytes: 600e6 }, limits, undefined)).toBe('resource watermark: resident memory above 500000000 bytes');
    expect(resourcePressure({ ...calm, eventLoopDelayMs: 1_500 }, limits, undefined)).toBe('resource watermark: event-loop delay above 1000 ms');
  });

  it('holds a pressure until the figure falls below nine tenths of its watermark', () => {
    const reason = resourcePressure({ ...calm, heapUsedRatio: 0.92 }, limits, undefined);
    expect(resourcePressure({ ...calm, heapUsedRatio: 0.85 }, limits, reason)).toBe(reason);
    expect(resourcePressure({ ...calm, heapUsedRatio: 0.8 }, limits, reason)).toBeUndefined();
    // A figure just under the line does not start a pressure.
    expect(resourcePressure({ ...calm, heapUsedRatio: 0.85 }, limits, undefined)).toBeUndefined();
  });

  it('ignores watermarks left out or set to 0', () => {
    expect(resourcePressure({ ...calm, rssBytes: 10e9 }, { heapUsedRatio: 0.9 }, undefined)).toBeUndefined();
    expect(resourcePressure({ ...calm, eventLoopDelayMs: 10e3 }, { eventLoopDelayMs: 0 }, undefined)).toBeUndefined();
  });
});
