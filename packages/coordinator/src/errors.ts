/** A saga definition that cannot run (reported at start-up, not when the first saga fails). */
export class SagaDefinitionError extends Error {
  override readonly name = 'SagaDefinitionError';
}

/** No saga with that id in the store. */
export class SagaNotFoundError extends Error {
  override readonly name = 'SagaNotFoundError';
  constructor(readonly sagaId: string) {
    super(`no saga with id '${sagaId}'`);
  }
}

/** An operator asked for something the saga's status does not allow (resuming a running saga, say). */
export class SagaStateError extends Error {
  override readonly name = 'SagaStateError';
}

/** `Name: message` of anything thrown, for logs and failure headers. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
