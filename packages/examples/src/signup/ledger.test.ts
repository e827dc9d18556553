import { emptyEffects, MemorySignupLedger, RedisSignupLedger, signupLedgerFromEnv } from './ledger';

describe('the signup ledger', () => {
  it('takes an effect on a subject once per saga, in order, counting repeats', async () => {
    const ledger = new MemorySignupLedger();
    expect(await ledger.record('s1', 'user.created', 'usr_1')).toBe(true);
    expect(await ledger.record('s1', 'user.created', 'usr_1')).toBe(false);
    expect(await ledger.record('s1', 'subscription.created', 'sub_1')).toBe(true);
    expect(await ledger.record('s1', 'subscription.cancelled', 'sub_1')).toBe(true);
    expect(await ledger.record('s1', 'user.deleted', 'usr_1')).toBe(true);
    expect(await ledger.record('s2', 'user.created', 'usr_1')).toBe(true);
    const read = await ledger.read(['s1', 's2', 'nobody']);
    expect(read.get('s1')).toEqual({
      log: ['user.created', 'subscription.created', 'subscription.cancelled', 'user.deleted'],
      counts: { 'user.created': 1, 'subscription.created': 1, 'email.sent': 0, 'subscription.cancelled': 1, 'user.deleted': 1 },
      repeats: 1,
    });
    expect(read.get('s2')!.log).toEqual(['user.created']);
    expect(read.get('nobody')).toEqual(emptyEffects());
  });

  it('is Redis under a prefix by default, or in memory when asked, from the environment', () => {
    const redis = signupLedgerFromEnv({ MESH_SIGNUP_LEDGER_PREFIX: 'p:' });
    expect(redis).toBeInstanceOf(RedisSignupLedger);
    expect((redis as RedisSignupLedger).keyPrefix).toBe('p:');
    expect((signupLedgerFromEnv({}) as RedisSignupLedger).keyPrefix).toBe('mesh:signup:ledger:');
    expect(signupLedgerFromEnv({ MESH_SIGNUP_LEDGER: 'memory' })).toBeInstanceOf(MemorySignupLedger);
    expect(() => signupLedgerFromEnv({ MESH_SIGNUP_LEDGER: 'postgres' })).toThrow(/redis or memory/);
  });
});
