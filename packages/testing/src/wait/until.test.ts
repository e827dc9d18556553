import { WaitTimeoutError } from '../errors';
import { waitUntil, within } from './until';

describe('waitUntil', () => {
  it('resolves at once when the value is there, else on the change that brings it', async () => {
    await expect(
      waitUntil(
        () => 1,
        () => () => undefined,
        10,
        () => 'never',
      ),
    ).resolves.toBe(1);
    const found: { value?: number } = {};
    let notify: () => void = () => undefined;
    const waiting = waitUntil(
      () => found.value,
      (changed) => {
        notify = changed;
        return () => (notify = () => undefined);
      },
      1_000,
      () => 'a value',
    );
    notify();
    found.value = 7;
    notify();
    await expect(waiting).resolves.toBe(7);
  });

  it('fails after its bound with the message given, and stops listening', async () => {
    let listening = false;
    const waiting = waitUntil(
      () => undefined,
      () => {
        listening = true;
        return () => (listening = false);
      },
      20,
      () => 'timed out waiting for the thing (0 seen)',
    );
    await expect(waiting).rejects.toThrow(new WaitTimeoutError('timed out waiting for the thing (0 seen)'));
    expect(listening).toBe(false);
  });
});

describe('within', () => {
  it('passes a settled promise on, and bounds one that does not settle', async () => {
    await expect(within(Promise.resolve('joined'), 1_000, 'never')).resolves.toBe('joined');
    await expect(within(new Promise<never>(() => undefined), 10, 'agent a did not join')).rejects.toThrow(new WaitTimeoutError('agent a did not join'));
  });
});
