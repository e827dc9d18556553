import { FailureConfigError } from '../invoice/failure-injection';
import { decideEmailFault, EmailProviderTimeoutError, emailFaultsFromEnv, faultOfAccount, hang, hangDurationMs, HANG_OVERRUN_MS, NO_EMAIL_FAULTS, type EmailFaultConfig } from './email-faults';

describe('email faults', () => {
  it('are forced by the account id, whatever the rates', () => {
    expect(faultOfAccount('acc-1-fail')).toBe('fail');
    expect(faultOfAccount('acc-1-hang')).toBe('hang');
    expect(faultOfAccount('acc-fail-1')).toBe('none');
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(decideEmailFault(NO_EMAIL_FAULTS, 'acc-1-fail', 's', attempt)).toBe('fail');
      expect(decideEmailFault(NO_EMAIL_FAULTS, 'acc-1-hang', 's', attempt)).toBe('hang');
      expect(decideEmailFault(NO_EMAIL_FAULTS, 'acc-1', 's', attempt)).toBe('none');
    }
  });

  it('are drawn per saga and attempt at the configured rates, reproducibly', () => {
    const config: EmailFaultConfig = { seed: 's', failRate: 0.2, hangRate: 0.05 };
    const counts = { none: 0, fail: 0, hang: 0 };
    for (let i = 0; i < 20_000; i++) counts[decideEmailFault(config, `acc-${i}`, `signup-acc-${i}`, 1)]++;
    expect(Math.abs(counts.fail / 20_000 - 0.2)).toBeLessThan(0.01);
    expect(Math.abs(counts.hang / 20_000 - 0.05)).toBeLessThan(0.01);
    expect(decideEmailFault(config, 'a', 'signup-a', 1)).toBe(decideEmailFault({ ...config }, 'a', 'signup-a', 1));
    // A new attempt draws again, so a hang can clear on a retry.
    const hungFirst = Array.from({ length: 2000 }, (_, i) => `signup-${i}`).filter((id) => decideEmailFault(config, 'a', id, 1) === 'hang');
    expect(hungFirst.filter((id) => decideEmailFault(config, 'a', id, 2) === 'none').length / hungFirst.length).toBeGreaterThan(0.6);
  });

  it('are read from the environment, refusing what is not a probability', () => {
    expect(emailFaultsFromEnv({})).toEqual(NO_EMAIL_FAULTS);
    expect(emailFaultsFromEnv({ MESH_SIGNUP_EMAIL_FAIL_RATE: '0.2', MESH_SIGNUP_EMAIL_HANG_RATE: ' 0.05 ', MESH_FAIL_SEED: 'x' })).toEqual({ seed: 'x', failRate: 0.2, hangRate: 0.05 });
    expect(() => emailFaultsFromEnv({ MESH_SIGNUP_EMAIL_FAIL_RATE: '20%' })).toThrow(/MESH_SIGNUP_EMAIL_FAIL_RATE='20%'/);
    expect(() => emailFaultsFromEnv({ MESH_SIGNUP_EMAIL_HANG_RATE: '2' })).toThrow(FailureConfigError);
    expect(() => emailFaultsFromEnv({ MESH_SIGNUP_EMAIL_FAIL_RATE: '0.7', MESH_SIGNUP_EMAIL_HANG_RATE: '0.4' })).toThrow(/more than 1/);
  });

  it('hang until just past the command deadline, or a fallback without one', () => {
    expect(hangDurationMs(10_000, 8_000, 99)).toBe(2_000 + HANG_OVERRUN_MS);
    expect(hangDurationMs(10_000, 12_000, 99)).toBe(HANG_OVERRUN_MS);
    expect(hangDurationMs(0, 12_000, 99)).toBe(99);
    expect(hangDurationMs(10_000, 8_000, 99, 1_000)).toBe(3_000);
  });

  it('hang, then give up by themselves, or as soon as the participant aborts the call', async () => {
    await expect(hang(10, new AbortController().signal, 'send')).rejects.toBeInstanceOf(EmailProviderTimeoutError);
    const controller = new AbortController();
    const reason = new Error('deadline');
    const call = hang(60_000, controller.signal, 'send');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });
});
