import { Type } from 'avsc';
import { checkCompatibility } from './check';
import { levelRules } from './levels';

const record = (fields: unknown[], name = 'Order') => Type.forSchema({ type: 'record', name, namespace: 't', fields } as never);
const v1 = record([{ name: 'id', type: 'string' }]);
const addedWithDefault = record([
  { name: 'id', type: 'string' },
  { name: 'note', type: 'string', default: '' },
]);
const addedNoDefault = record([
  { name: 'id', type: 'string' },
  { name: 'total', type: 'long' },
]);
const removedId = record([]);
const history = (...types: Type[]) => types.map((type, i) => ({ version: i + 1, type }));

describe('checkCompatibility', () => {
  test('adding a field with a default passes every level', () => {
    for (const level of ['BACKWARD', 'FORWARD', 'FULL', 'FULL_TRANSITIVE'] as const) {
      expect(checkCompatibility(level, addedWithDefault, history(v1))).toEqual([]);
    }
  });

  test('BACKWARD refuses a new field without a default and names it', () => {
    const [problem] = checkCompatibility('BACKWARD', addedNoDefault, history(v1));
    expect(problem).toMatchObject({ direction: 'backward', version: 1, field: 'total', path: 't.Order.total' });
    expect(problem.message).toMatch(/new schema cannot read data written with version 1.*"total" has no default/);
  });

  test('FORWARD allows a new field without a default but refuses removing a required field', () => {
    expect(checkCompatibility('FORWARD', addedNoDefault, history(v1))).toEqual([]);
    const [problem] = checkCompatibility('FORWARD', removedId, history(v1));
    expect(problem).toMatchObject({ direction: 'forward', field: 'id' });
  });

  test('FULL needs both directions; NONE accepts anything', () => {
    expect(checkCompatibility('FULL', addedNoDefault, history(v1)).map((p) => p.direction)).toEqual(['backward']);
    expect(checkCompatibility('FULL', removedId, history(v1)).map((p) => p.direction)).toEqual(['forward']);
    expect(checkCompatibility('NONE', record([{ name: 'id', type: 'int' }]), history(v1))).toEqual([]);
  });

  test('non-transitive levels check only the latest version; transitive ones check all', () => {
    // v1 id:string, v2 drops id (backward-legal), v3 brings id back as int: fine against v2, not against v1.
    const v3 = record([{ name: 'id', type: 'int', default: 0 }]);
    expect(checkCompatibility('BACKWARD', v3, history(v1, removedId))).toEqual([]);
    const problems = checkCompatibility('BACKWARD_TRANSITIVE', v3, history(v1, removedId));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ version: 1, field: 'id' });
    expect(problems[0].message).toMatch(/string cannot be read as int/);
  });

  test('type changes, enum symbol removal, renames and nested records are explained', () => {
    const enumOf = (symbols: string[]) => record([{ name: 'status', type: { type: 'enum', name: 'Status', symbols } }]);
    const [enumProblem] = checkCompatibility('BACKWARD', enumOf(['A']), history(enumOf(['A', 'B'])));
    expect(enumProblem.message).toMatch(/has no symbol B/);

    const [rename] = checkCompatibility('BACKWARD', record([{ name: 'id', type: 'string' }], 'Purchase'), history(v1));
    expect(rename.message).toMatch(/record name changed from t.Order to t.Purchase/);

    const nested = (fields: unknown[]) => record([{ name: 'line', type: { type: 'record', name: 'Line', fields } }]);
    const [inner] = checkCompatibility(
      'BACKWARD',
      nested([
        { name: 'qty', type: 'int' },
        { name: 'sku', type: 'string' },
      ]),
      history(nested([{ name: 'qty', type: 'int' }])),
    );
    expect(inner).toMatchObject({ field: 'sku', path: 't.Order.line.sku' });

    const widened = record([{ name: 'id', type: ['null', 'string'], default: null }]);
    expect(checkCompatibility('BACKWARD', widened, history(v1))).toEqual([]);
    const [narrowed] = checkCompatibility('BACKWARD', v1, history(widened));
    expect(narrowed.message).toMatch(/null/);
  });

  test('levelRules', () => {
    expect(levelRules('FULL_TRANSITIVE')).toEqual({ backward: true, forward: true, transitive: true });
    expect(levelRules('FORWARD')).toEqual({ backward: false, forward: true, transitive: false });
  });
});
