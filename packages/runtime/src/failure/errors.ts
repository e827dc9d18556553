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

/** One candidate output of an agent's validation chain that did not pass: who made it, why not, and what it was. */
export interface FailedOutput {
  /** `handler`, or the alternative's name. */
  by: string;
  problem: string;
  /** The candidate outputs as JSON, cut short; absent when the candidate threw instead of answering. */
  output?: string;
}

/**
 * Every candidate output of an agent with declared output checks failed them: the handler's and each
 * alternative's. The event goes to the DLQ as invalid-output with each candidate in its failure history.
 */
export class InvalidOutputsError extends InvalidOutputError {
  override readonly name: string = 'InvalidOutputsError';
  constructor(readonly failures: readonly FailedOutput[]) {
    super(`no valid output: ${failures.map((f) => `${f.by}: ${f.problem}`).join('; ')}`.slice(0, 1_000));
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

/**
 * The broker's ACLs refused an output's topic (TOPIC_AUTHORIZATION_FAILED): the handler wrote outside what its
 * principal was granted, and no retry helps until the ACLs change. The event goes to the DLQ at once.
 */
export class OutputRefusedError extends PermanentError {
  override readonly name: string = 'OutputRefusedError';
  constructor(
    readonly topics: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`TOPIC_AUTHORIZATION_FAILED: the broker's ACLs do not let this agent write to ${topics.map((t) => `'${t}'`).join(', ')} (see mesh acl plan for what it is granted)`, options);
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
