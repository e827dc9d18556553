import { DEFAULT_LLM_LATENCY_MS, DEFAULT_TRIAGE_SEED, triageProcessEnv, triageSettingsFromEnv, triageTimeoutMs } from './options';

describe('triage settings', () => {
  it('reads the environment, with defaults, and gives it back to the agent processes', () => {
    expect(triageSettingsFromEnv({})).toEqual({
      seed: DEFAULT_TRIAGE_SEED,
      latencyMs: DEFAULT_LLM_LATENCY_MS,
      draftLatencyMs: DEFAULT_LLM_LATENCY_MS,
      redisUrl: 'redis://127.0.0.1:6379',
      ledgerPrefix: 'mesh:triage:ledger:',
    });
    const settings = { seed: 3, latencyMs: 100, draftLatencyMs: 2_000, redisUrl: 'redis://r:6379', ledgerPrefix: 'p:' };
    expect(triageSettingsFromEnv(triageProcessEnv({ PATH: '/bin' }, settings))).toEqual(settings);
  });

  it('says which variable is wrong', () => {
    expect(() => triageSettingsFromEnv({ MESH_TRIAGE_LLM_LATENCY_MS: 'slow' })).toThrow("MESH_TRIAGE_LLM_LATENCY_MS='slow' must be a whole number >= 0");
  });

  it('gives the handler room for three calls of each model', () => {
    expect(triageTimeoutMs({ latencyMs: 250, draftLatencyMs: 250 })).toBe(5_000);
    expect(triageTimeoutMs({ latencyMs: 250, draftLatencyMs: 2_000 })).toBe(6_000);
  });
});
