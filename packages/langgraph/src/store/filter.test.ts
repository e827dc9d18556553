import { metadataMatches } from './filter';

describe('metadataMatches', () => {
  const metadata = { source: 'loop', step: 2, parents: { '': 'c-1' } };

  it('matches when every filter key is equal, nested objects by value', () => {
    expect(metadataMatches(metadata, undefined)).toBe(true);
    expect(metadataMatches(metadata, {})).toBe(true);
    expect(metadataMatches(metadata, { source: 'loop', step: 2 })).toBe(true);
    expect(metadataMatches(metadata, { parents: { '': 'c-1' } })).toBe(true);
  });

  it('does not match a different value, a missing key, or a value of another type', () => {
    expect(metadataMatches(metadata, { source: 'input' })).toBe(false);
    expect(metadataMatches(metadata, { owner: 'x' })).toBe(false);
    expect(metadataMatches(metadata, { step: '2' })).toBe(false);
    expect(metadataMatches(undefined, { step: 2 })).toBe(false);
  });
});
