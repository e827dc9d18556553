import { InvalidArgumentError } from 'commander';
import { jaegerBase, parseTraceId } from './index';

describe('mesh trace options', () => {
  it('takes any id a publisher may have chosen, refusing only what cannot be one', () => {
    expect(parseTraceId(' 3f0c4b6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f ')).toBe('3f0c4b6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f');
    expect(parseTraceId('order:42@shop')).toBe('order:42@shop');
    for (const bad of ['', '   ', 'two words', 'tab\there', 'x'.repeat(501)]) expect(() => parseTraceId(bad)).toThrow(InvalidArgumentError);
  });

  it('links to Jaeger from the flag, else JAEGER_URL, else not at all', () => {
    expect(jaegerBase('http://flag:16686', { JAEGER_URL: 'http://env:16686' })).toBe('http://flag:16686');
    expect(jaegerBase(undefined, { JAEGER_URL: ' http://env:16686/ ' })).toBe('http://env:16686');
    expect(jaegerBase(undefined, { JAEGER_URL: '' })).toBeUndefined();
    expect(jaegerBase(undefined, {})).toBeUndefined();
    expect(() => jaegerBase(undefined, { JAEGER_URL: 'ftp://nope' })).toThrow(/not an http\(s\) URL/);
  });
});
