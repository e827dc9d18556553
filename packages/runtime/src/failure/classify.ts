import { HandlerTimeoutError, InvalidInputError, InvalidOutputsError, PermanentError } from './errors';

export type FailureKind = 'transient' | 'permanent' | 'timeout' | 'invalid-input' | 'invalid-output';

/** An agent's own say on an error; undefined falls back to the built-in rules. */
export type ErrorClassifier = (error: unknown) => FailureKind | undefined;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return errorCode((error as { cause?: unknown }).cause);
}

/**
 * What kind of failure an error is. PermanentError skips retries; undecodable
 * input is invalid-input; outputs that failed every declared check are invalid-output; deadlines are timeouts; network errors and anything
 * unknown are transient (retried up to maxAttempts).
 */
export function classifyError(error: unknown, custom?: ErrorClassifier): FailureKind {
  const own = custom?.(error);
  if (own) return own;
  if (error instanceof InvalidInputError) return 'invalid-input';
  if (error instanceof InvalidOutputsError) return 'invalid-output';
  if (error instanceof PermanentError) return 'permanent';
  if (error instanceof HandlerTimeoutError) return 'timeout';
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'TaskCancelledError')) return 'timeout';
  const code = errorCode(error);
  if (code && NETWORK_CODES.has(code)) return 'transient';
  return 'transient';
}
