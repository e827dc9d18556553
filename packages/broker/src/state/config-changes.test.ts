import { applyIncrementalChanges, ConfigOperation, replaceConfigs } from './config-changes';
import { ConfigType } from './config-types';

const typeOf = (name: string) => (name === 'cleanup.policy' ? ConfigType.List : name === 'unknown' ? undefined : ConfigType.Long);
const inForce = (name: string) => (name === 'cleanup.policy' ? 'delete' : null);

describe('applyIncrementalChanges', () => {
  it('sets, deletes, appends to and subtracts from configs', () => {
    const out = applyIncrementalChanges(
      { 'retention.ms': '1', 'segment.ms': '2' },
      [
        { name: 'retention.ms', operation: ConfigOperation.Set, value: '5' },
        { name: 'segment.ms', operation: ConfigOperation.Delete, value: null },
        { name: 'cleanup.policy', operation: ConfigOperation.Append, value: 'compact' },
      ],
      typeOf,
      inForce,
    );
    expect(out).toEqual({ ok: true, configs: { 'retention.ms': '5', 'cleanup.policy': 'delete,compact' } });
    const subtracted = applyIncrementalChanges({ 'cleanup.policy': 'delete,compact' }, [{ name: 'cleanup.policy', operation: ConfigOperation.Subtract, value: 'delete' }], typeOf, inForce);
    expect(subtracted).toEqual({ ok: true, configs: { 'cleanup.policy': 'compact' } });
  });

  it("answers Kafka's errors: duplicates and unknown operations are bad requests, the rest bad configs", () => {
    expect(applyIncrementalChanges({}, [{ name: 'retention.ms', operation: ConfigOperation.Append, value: '1' }], typeOf, inForce)).toMatchObject({ ok: false, invalidRequest: false });
    expect(applyIncrementalChanges({}, [{ name: 'unknown', operation: ConfigOperation.Set, value: '1' }], typeOf, inForce)).toMatchObject({ ok: false, invalidRequest: false });
    expect(applyIncrementalChanges({}, [{ name: 'retention.ms', operation: 9, value: '1' }], typeOf, inForce)).toMatchObject({ ok: false, invalidRequest: true });
    const twice = [1, 2].map((v) => ({ name: 'retention.ms', operation: ConfigOperation.Set, value: String(v) }));
    expect(applyIncrementalChanges({}, twice, typeOf, inForce)).toMatchObject({ ok: false, invalidRequest: true });
  });
});

describe('replaceConfigs', () => {
  it('keeps the given non-null configs only, and refuses a name given twice', () => {
    expect(
      replaceConfigs([
        { name: 'a', value: '1' },
        { name: 'b', value: null },
      ]),
    ).toEqual({ ok: true, configs: { a: '1' } });
    expect(
      replaceConfigs([
        { name: 'a', value: '1' },
        { name: 'a', value: '2' },
      ]),
    ).toMatchObject({ ok: false, invalidRequest: true });
  });
});
