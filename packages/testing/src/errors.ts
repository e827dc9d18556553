/** Something the test kit was asked that it cannot do (a bad option, a real clock told to advance). */
export class TestMeshError extends Error {
  override readonly name = 'TestMeshError';
}

/** A bounded wait ran out: the message says what was awaited and what was seen meanwhile. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}
