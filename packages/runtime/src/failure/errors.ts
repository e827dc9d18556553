/** Throw from a handler when retrying cannot help (bad business data, a 4xx): the event goes to the DLQ at once. */
export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A handler returned an output Kafka cannot carry (a bug in the handler): no retry makes it valid. */
export class InvalidOutputError extends PermanentError {
  override readonly name: string = 'InvalidOutputError';
}

/** A handler's output is larger than a Kafka record may be: no retry makes it smaller. */
export class OutputTooLargeError extends PermanentError {
  override readonly name: string = 'OutputTooLargeError';
  constructor(
    readonly topic: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`an output to '${topic}' is ${bytes} bytes, more than the ${maxBytes} a record may be`);
  }
}

/** The event could not be decoded or does not fit its schema; it goes straight to the DLQ. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A handler did not finish within the agent's timeoutMs. */
export class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`handler did not finish within ${timeoutMs} ms`);
  }
}

/** defineAgent was given a definition that cannot run. */
export class AgentDefinitionError extends Error {
  override readonly name = 'AgentDefinitionError';
}
