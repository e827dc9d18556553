/** A call that cannot be served as asked (no thread id, no checkpoint id for writes). Retrying will not help. */
export class CheckpointConfigError extends Error {
  override readonly name = 'CheckpointConfigError';
}
