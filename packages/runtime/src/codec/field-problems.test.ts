import { Type } from 'avsc';
import { describeAvroType, describeValue, findFieldProblems, formatFieldPath } from './field-problems';

const payment = Type.forSchema({
  type: 'record',
  name: 'io.agentmesh.test.Payment',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'currency', type: { type: 'enum', name: 'Currency', symbols: ['EUR', 'USD'] } },
    { name: 'note', type: ['null', 'string'], default: null },
    {
      name: 'lines',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Line',
          fields: [
            { name: 'sku', type: 'string' },
            { name: 'qty', type: 'int' },
          ],
        },
      },
      default: [],
    },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
});

const valid = { id: 'p-1', amount: 12.5, currency: 'EUR', note: null, lines: [{ sku: 'A', qty: 2 }], at: 1_700_000_000_000 };

describe('findFieldProblems', () => {
  it('finds nothing wrong with a value that fits, with defaulted fields left out', () => {
    expect(findFieldProblems(payment, valid)).toEqual([]);
    const { note: _note, lines: _lines, ...required } = valid;
    expect(findFieldProblems(payment, required)).toEqual([]);
  });

  it('names the field, the expected type and what it got', () => {
    expect(findFieldProblems(payment, { ...valid, amount: '12' })).toEqual([{ field: 'amount', expected: 'double', got: '"12"', message: `field 'amount' expected double, got "12"` }]);
  });

  it('says a required field is missing', () => {
    const { id: _id, ...withoutId } = valid;
    expect(findFieldProblems(payment, withoutId).map((p) => p.message)).toEqual([`field 'id' is missing (expected string)`]);
  });

  it('lists the symbols of an enum and the branches of a union', () => {
    expect(findFieldProblems(payment, { ...valid, currency: 'GBP', note: 3 }).map((p) => p.message)).toEqual([
      `field 'currency' expected one of EUR, USD, got "GBP"`,
      `field 'note' expected null | string, got 3`,
    ]);
  });

  it('paths into arrays and nested records', () => {
    const [problem] = findFieldProblems(payment, {
      ...valid,
      lines: [
        { sku: 'A', qty: 1 },
        { sku: 'B', qty: 1.5 },
      ],
    });
    expect(problem).toMatchObject({ field: 'lines[1].qty', expected: 'int', message: `field 'lines[1].qty' expected int, got 1.5` });
  });

  it('refuses fields the schema does not declare, so a typo is not dropped silently', () => {
    expect(findFieldProblems(payment, { ...valid, amout: 3 }).map((p) => p.message)).toEqual([`field 'amout' is not in schema Payment (its fields: id, amount, currency, note, lines, at)`]);
  });

  it('describes a value that is not a record at all', () => {
    expect(findFieldProblems(payment, 'hello').map((p) => p.message)).toEqual([`the value expected record Payment, got "hello"`]);
  });
});

describe('describing types and values', () => {
  it.each([
    [{ type: 'array', items: 'string' }, 'array of string'],
    [{ type: 'map', values: 'long' }, 'map of long'],
    [{ type: 'fixed', name: 'Hash', size: 16 }, 'fixed(16 bytes)'],
    [['null', 'double'], 'null | double'],
  ])('describes %j as %s', (schema, text) => {
    expect(describeAvroType(Type.forSchema(schema as Parameters<typeof Type.forSchema>[0]))).toBe(text);
  });

  it('shortens long values and names shapes', () => {
    expect(describeValue('x'.repeat(100))).toHaveLength(40);
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue([1, 2])).toBe('an array of 2');
    expect(describeValue({ a: 1 })).toBe('an object');
  });

  it('formats paths with indexes', () => {
    expect(formatFieldPath([])).toBe('');
    expect(formatFieldPath(['a', '0', 'b', '12'])).toBe('a[0].b[12]');
  });
});
