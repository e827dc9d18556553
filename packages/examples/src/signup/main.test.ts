import { demoSignups } from './publish';
import { parseSignupDemoArgs } from './main';
import { signupParticipantEnv } from './demo';

describe('the signup demo', () => {
  it('takes --signups and --timeout, or MESH_SIGNUP_COUNT, and refuses anything else', () => {
    expect(parseSignupDemoArgs([], {})).toEqual({ help: false });
    expect(parseSignupDemoArgs(['--signups', '10', '--timeout', '30'], {})).toEqual({ help: false, signups: 10, settleTimeoutMs: 30_000 });
    expect(parseSignupDemoArgs([], { MESH_SIGNUP_COUNT: '7' }).signups).toBe(7);
    expect(parseSignupDemoArgs(['--signups', '9'], { MESH_SIGNUP_COUNT: '7' }).signups).toBe(9);
    expect(parseSignupDemoArgs(['-h'], {}).help).toBe(true);
    expect(() => parseSignupDemoArgs(['--signups', '0'], {})).toThrow(/--signups needs a whole number/);
    expect(() => parseSignupDemoArgs(['--signups'], {})).toThrow(/--signups needs/);
    expect(() => parseSignupDemoArgs(['--fast'], {})).toThrow(/unknown argument '--fast'/);
  });

  it('marks every n-th account to fail or hang, with ids of the run', () => {
    const signups = demoSignups('r1', 20, { failEvery: 10, hangEvery: 4, requestedAt: 1000 });
    expect(signups.map((s) => s.accountId).filter((id) => /-(fail|hang)$/.test(id))).toEqual([
      'acc-r1-0004-hang',
      'acc-r1-0008-hang',
      'acc-r1-0010-fail',
      'acc-r1-0012-hang',
      'acc-r1-0016-hang',
      'acc-r1-0020-fail',
    ]);
    expect(signups[0]).toMatchObject({ accountId: 'acc-r1-0001', email: 'user1@r1.example', requestedAt: 1000, referralCode: 'ref-r1' });
    expect(demoSignups('r1', 20, { requestedAt: 1000 })).toEqual(demoSignups('r1', 20, { requestedAt: 1000 }).map((s) => ({ ...s })));
  });

  it('gives the participants the ledger place and the demo fault rates, unless told otherwise', () => {
    const env = signupParticipantEnv({ PATH: '/bin', MESH_SIGNUP_EMAIL_HANG_RATE: '0' }, 'redis://h:1', 'p:');
    expect(env).toMatchObject({
      PATH: '/bin',
      REDIS_URL: 'redis://h:1',
      MESH_SIGNUP_LEDGER: 'redis',
      MESH_SIGNUP_LEDGER_PREFIX: 'p:',
      MESH_SIGNUP_EMAIL_FAIL_RATE: '0.1',
      MESH_SIGNUP_EMAIL_HANG_RATE: '0',
    });
    expect(signupParticipantEnv({}, 'redis://h:1', 'p:', { failRate: 0.3 }).MESH_SIGNUP_EMAIL_FAIL_RATE).toBe('0.3');
  });
});
