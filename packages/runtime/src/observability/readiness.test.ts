import { runReadinessCheck, runReadinessChecks } from './readiness';

describe('runReadinessCheck', () => {
  it('accepts booleans and { ok, detail } results', async () => {
    expect(await runReadinessCheck(() => true)).toEqual({ ok: true });
    expect(await runReadinessCheck(async () => false)).toEqual({ ok: false });
    expect(await runReadinessCheck(async () => ({ ok: false, detail: 'lagging' }))).toEqual({ ok: false, detail: 'lagging' });
  });

  it('turns a throw (sync or async) into a failed check with the message', async () => {
    expect(
      await runReadinessCheck(() => {
        throw new Error('boom');
      }),
    ).toEqual({ ok: false, detail: 'boom' });
    expect(await runReadinessCheck(() => Promise.reject(new Error('nope')))).toEqual({ ok: false, detail: 'nope' });
  });

  it('refuses a result of the wrong shape', async () => {
    const check = (() => 'yes') as unknown as () => boolean;
    expect(await runReadinessCheck(check)).toEqual({ ok: false, detail: 'check returned neither a boolean nor { ok }' });
  });

  it('fails a check that outlives its timeout and aborts its signal', async () => {
    let seen: AbortSignal | undefined;
    const result = await runReadinessCheck((signal) => {
      seen = signal;
      return new Promise<boolean>(() => {});
    }, 20);
    expect(result).toEqual({ ok: false, detail: 'timed out after 20 ms' });
    expect(seen?.aborted).toBe(true);
  });
});

describe('runReadinessChecks', () => {
  it('is ready only when every check passes', async () => {
    expect(await runReadinessChecks({})).toEqual({ ready: true, checks: {} });
    expect(await runReadinessChecks({ a: () => true, b: () => ({ ok: false, detail: 'down' }) })).toEqual({
      ready: false,
      checks: { a: { ok: true }, b: { ok: false, detail: 'down' } },
    });
  });
});
