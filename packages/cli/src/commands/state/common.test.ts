import { checkAgentName, parseVersion, StateCommandError } from './common';

describe('mesh state arguments', () => {
  it('takes a version as a whole number from 1, else one clear error', () => {
    expect(parseVersion('3')).toBe(3);
    for (const bad of ['x', '0', '-1', '1.5', '', '1e3', '99999999999999999999']) {
      expect(() => parseVersion(bad)).toThrow(StateCommandError);
    }
    expect(() => parseVersion('two')).toThrow("version 'two' is not a whole number from 1");
  });

  it("takes agent names by defineAgent's rule", () => {
    expect(checkAgentName('billing-2')).toBe('billing-2');
    expect(() => checkAgentName('a b')).toThrow(/is not an agent name/);
    expect(() => checkAgentName('{x}')).toThrow(StateCommandError);
  });
});
