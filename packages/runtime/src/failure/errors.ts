/** Throw from a handler when retrying cannot help (bad business data, a 4xx): the event goes to the DLQ at once. */
export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A handler's output names a topic Kafka cannot have (a bug in the handler): no retry makes it valid. */
export class InvalidOutputTopicError extends PermanentError {
  override readonly name: string = 'InvalidOutputTopicError';
  constructor(readonly topic: string) {
    super(`an output names the topic ${JSON.stringify(topic.slice(0, 300))}, which is not a legal Kafka topic name (1-249 of a-z A-Z 0-9 . _ -, not "." or "..")`);
  }
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
