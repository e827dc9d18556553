/** A connection setting that cannot work; the message is one line naming the variable and what is wrong, never a secret. */
export class ConnectionConfigError extends Error {
  override readonly name = 'ConnectionConfigError';
}
