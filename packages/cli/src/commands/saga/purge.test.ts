import { UsageError } from '../../options';
import { purgeRequest } from './purge';

describe('purgeRequest', () => {
  it('takes the finished statuses asked for and the age', () => {
    expect(purgeRequest({ completed: true, compensated: false, olderThan: 0 })).toEqual({ statuses: ['completed'], olderThanMs: 0 });
    expect(purgeRequest({ completed: true, compensated: true, olderThan: 604_800_000 })).toEqual({ statuses: ['completed', 'compensated'], olderThanMs: 604_800_000 });
  });

  it('refuses without a status or without --older-than, with an example', () => {
    expect(() => purgeRequest({ completed: false, compensated: false, olderThan: 1 })).toThrow(UsageError);
    expect(() => purgeRequest({ completed: false, compensated: false, olderThan: 1 })).toThrow(
      /--completed, --compensated or both \(e\.g\. mesh saga purge --completed --compensated --older-than 7d\)/,
    );
    expect(() => purgeRequest({ completed: true, compensated: false, olderThan: undefined })).toThrow(/--older-than is required/);
  });
});
