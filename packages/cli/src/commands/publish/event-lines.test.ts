import { isLineProblem, parseEventInput, parseEventLine } from './event-lines';

describe('parseEventLine', () => {
  it('reads an envelope: value, key and headers', () => {
    expect(parseEventLine('{"value":{"id":1},"key":"k1","headers":{"h":"v"}}', 3)).toEqual({ line: 3, value: { id: 1 }, key: 'k1', headers: { h: 'v' } });
    expect(parseEventLine('{"value":{"id":1},"key":null}', 1)).toEqual({ line: 1, value: { id: 1 }, key: null, headers: {} });
  });

  it('takes any other JSON as the bare value, with no key of its own', () => {
    expect(parseEventLine('{"invoiceId":"inv-1","value":3}', 2)).toEqual({ line: 2, value: { invoiceId: 'inv-1', value: 3 }, headers: {} });
    expect(parseEventLine('[1,2]', 2)).toEqual({ line: 2, value: [1, 2], headers: {} });
    expect(parseEventLine('"text"', 2)).toEqual({ line: 2, value: 'text', headers: {} });
  });

  it('skips blank lines', () => {
    expect(parseEventLine('   \r', 4)).toBeUndefined();
  });

  it.each([
    ['{"invoiceId":', /^not valid JSON: /],
    ['{"value":1,"key":7}', /^"key" must be a string or null, got 7$/],
    ['{"value":1,"headers":["a"]}', /^"headers" must be an object of strings/],
    ['{"value":1,"headers":{"n":1}}', /^header 'n' must be a string, got 1$/],
  ])('names the problem of %s with its line number', (text, message) => {
    const parsed = parseEventLine(text, 9)!;
    expect(isLineProblem(parsed)).toBe(true);
    expect(parsed).toEqual({ line: 9, message: expect.stringMatching(message) as unknown });
  });
});

describe('parseEventInput', () => {
  it('reads JSON Lines in order, numbering lines as an editor does (blank lines count)', () => {
    const { events, problems } = parseEventInput('{"a":1}\n\n{"value":{"a":2},"key":"k"}\nnot json\n{"a":3}\n');
    expect(events.map((e) => [e.line, e.value])).toEqual([
      [1, { a: 1 }],
      [3, { a: 2 }],
      [5, { a: 3 }],
    ]);
    expect(problems).toEqual([{ line: 4, message: expect.stringMatching(/^not valid JSON/) as unknown }]);
  });

  it('takes a whole input that is one JSON value (pretty-printed) as one event', () => {
    expect(parseEventInput('{\n  "invoiceId": "inv-1",\n  "amount": 2\n}\n')).toEqual({ events: [{ line: 1, value: { invoiceId: 'inv-1', amount: 2 }, headers: {} }], problems: [] });
  });

  it('finds no events in an empty input', () => {
    expect(parseEventInput('')).toEqual({ events: [], problems: [] });
  });
});
