import { PermanentError } from '@agentmesh/runtime';
import {
  actOutFault,
  agentFailureVariable,
  decideFault,
  failureConfigFromEnv,
  FailureConfigError,
  InjectedTransientError,
  NO_FAILURES,
  seededUniform,
  successRateWithoutRetries,
  type FailureInjectionConfig,
  type InjectedFault,
} from './failure-injection';

function tally(config: FailureInjectionConfig, events: number, attempt = 1): Record<InjectedFault, number> {
  const counts: Record<InjectedFault, number> = { none: 0, transient: 0, permanent: 0, slow: 0 };
  for (let i = 0; i < events; i++) counts[decideFault(config, 'ocr', `event-${i}`, attempt)]++;
  return counts;
}

describe('failure configuration from the environment', () => {
  it('is no failures when nothing is set', () => {
    expect(failureConfigFromEnv('ocr', {})).toEqual({ seed: 'agentmesh', rates: NO_FAILURES });
  });

  it('takes mesh-wide rates, and an agent variable wins over them for that agent only', () => {
    const env = { MESH_FAIL_TRANSIENT: '0.05', MESH_FAIL_PERMANENT: '0.01', MESH_FAIL_SLOW: '0.02', MESH_FAIL_TRANSIENT_PO_MATCHING: '0.3', MESH_FAIL_SEED: 'run-7' };
    expect(failureConfigFromEnv('po-matching', env)).toEqual({ seed: 'run-7', rates: { transient: 0.3, permanent: 0.01, slow: 0.02 } });
    expect(failureConfigFromEnv('ocr', env).rates).toEqual({ transient: 0.05, permanent: 0.01, slow: 0.02 });
  });

  it('names agent variables by the agent in upper case with underscores', () => {
    expect(agentFailureVariable('slow', 'po-matching')).toBe('MESH_FAIL_SLOW_PO_MATCHING');
  });

  it('refuses values that are not probabilities, naming the variable', () => {
    expect(() => failureConfigFromEnv('ocr', { MESH_FAIL_TRANSIENT_OCR: '5%' })).toThrow(/MESH_FAIL_TRANSIENT_OCR='5%'/);
    expect(() => failureConfigFromEnv('ocr', { MESH_FAIL_SLOW: '1.5' })).toThrow(FailureConfigError);
    expect(() => failureConfigFromEnv('ocr', { MESH_FAIL_SLOW: '-0.1' })).toThrow(FailureConfigError);
  });

  it('refuses rates that add up to more than 1', () => {
    expect(() => failureConfigFromEnv('ocr', { MESH_FAIL_TRANSIENT: '0.6', MESH_FAIL_PERMANENT: '0.5' })).toThrow(/more than 1/);
  });
});

describe('deciding faults', () => {
  const config: FailureInjectionConfig = { seed: 's', rates: { transient: 0.1, permanent: 0.05, slow: 0.05 } };

  it('is a pure function of seed, agent, event id and attempt', () => {
    for (let i = 0; i < 50; i++) expect(decideFault(config, 'ocr', `e${i}`, 1)).toBe(decideFault({ ...config }, 'ocr', `e${i}`, 1));
    expect(seededUniform('a', 1)).toBe(seededUniform('a', 1));
    expect(seededUniform('a', 1)).not.toBe(seededUniform('a', 2));
  });

  it('draws anew for another attempt, so a retry can succeed', () => {
    const failingFirst = Array.from({ length: 2000 }, (_, i) => `e${i}`).filter((id) => decideFault(config, 'ocr', id, 1) === 'transient');
    expect(failingFirst.length).toBeGreaterThan(0);
    const okOnRetry = failingFirst.filter((id) => decideFault(config, 'ocr', id, 2) === 'none');
    expect(okOnRetry.length / failingFirst.length).toBeGreaterThan(0.7);
  });

  it('differs between agents and seeds for the same event', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `e${i}`);
    const pattern = (agent: string, seed: string) => ids.map((id) => decideFault({ ...config, seed }, agent, id, 1)).join();
    expect(pattern('ocr', 's')).not.toBe(pattern('validation', 's'));
    expect(pattern('ocr', 's')).not.toBe(pattern('ocr', 't'));
  });

  it('injects each kind at about its rate', () => {
    const counts = tally(config, 20_000);
    expect(counts.transient / 20_000).toBeCloseTo(0.1, 1);
    expect(counts.permanent / 20_000).toBeCloseTo(0.05, 1);
    expect(counts.slow / 20_000).toBeCloseTo(0.05, 1);
    expect(Math.abs(counts.transient / 20_000 - 0.1)).toBeLessThan(0.01);
  });

  it('injects nothing at zero rates and always fails at a rate of 1', () => {
    expect(tally({ seed: 's', rates: NO_FAILURES }, 1000).none).toBe(1000);
    expect(tally({ seed: 's', rates: { transient: 1, permanent: 0, slow: 0 } }, 1000).transient).toBe(1000);
  });
});

describe('acting out a fault', () => {
  const site = (signal: AbortSignal) => ({ agent: 'ocr', timeoutMs: 40, ctx: { eventId: 'e1', attempt: 2, signal } });

  it('throws a plain (retried) error for a transient fault and a PermanentError for a permanent one', async () => {
    const signal = new AbortController().signal;
    await expect(actOutFault('none', site(signal))).resolves.toBeUndefined();
    const transient = actOutFault('transient', site(signal));
    await expect(transient).rejects.toBeInstanceOf(InjectedTransientError);
    await expect(transient).rejects.not.toBeInstanceOf(PermanentError);
    await expect(actOutFault('permanent', site(signal))).rejects.toBeInstanceOf(PermanentError);
  });

  it('makes a slow call outlast the deadline, ending as soon as the mesh aborts it', async () => {
    const controller = new AbortController();
    const reason = new Error('deadline');
    const started = Date.now();
    const call = actOutFault('slow', { ...site(controller.signal), timeoutMs: 60_000 });
    setTimeout(() => controller.abort(reason), 20);
    await expect(call).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails a slow call by itself when nothing aborts it (bounded)', async () => {
    await expect(actOutFault('slow', site(new AbortController().signal))).rejects.toThrow(/outlasted 40 ms/);
  });
});

describe('success rate without retries', () => {
  it('is the product over agents of the share of calls that do not fail', () => {
    const fivePercent = { transient: 0.03, permanent: 0.01, slow: 0.01 };
    expect(successRateWithoutRetries(Array(5).fill(fivePercent))).toBeCloseTo(0.7738, 4);
    expect(successRateWithoutRetries(Array(4).fill(fivePercent))).toBeCloseTo(0.8145, 4);
    expect(successRateWithoutRetries([])).toBe(1);
  });
});
