/** Which of the runtime's stores failed, for logs and for the worker's decision to pause. */
export type StoreName = 'idempotency' | 'checkpoint' | 'ordering' | 'saga' | 'state' | 'activity' | 'trace';

/** A store operation failed. The worker pauses on StoreUnavailableError rather than process without the store. */
export abstract class StoreError extends Error {
  abstract override readonly name: string;
  constructor(
    readonly store: StoreName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The store cannot be reached or did not answer in time (refused, closed, timed out, loading, read-only). */
export class StoreUnavailableError extends StoreError {
  override readonly name = 'StoreUnavailableError';
}

/** The store answered with an error that waiting will not fix (for example a key holding the wrong type). */
export class StoreCommandError extends StoreError {
  override readonly name = 'StoreCommandError';
}

/** The store's configuration cannot work (an unparseable Redis URL). The message never carries a password. */
export class StoreConfigError extends StoreError {
  override readonly name = 'StoreConfigError';
}
