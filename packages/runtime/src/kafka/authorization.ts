/** Kafka's answers for a principal its ACLs do not allow (the broker's authorizer said no). */
export const AUTHORIZATION_FAILURES = ['TOPIC_AUTHORIZATION_FAILED', 'GROUP_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'] as const;
export type AuthorizationFailure = (typeof AUTHORIZATION_FAILURES)[number];

/** kafkajs wraps the protocol error in its retry errors (KafkaJSNonRetriableError, ...NumberOfRetriesExceeded) as `cause`. */
const MAX_CAUSES = 8;

/**
 * The authorization error a Kafka client error is or wraps, else undefined. No retry makes such an error go
 * away (only a change of ACLs does), so what caused it fails for good instead of being tried again.
 */
export function authorizationFailure(error: unknown): AuthorizationFailure | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSES && typeof current === 'object' && current !== null; depth++) {
    const { type, cause, originalError } = current as { type?: unknown; cause?: unknown; originalError?: unknown };
    if (typeof type === 'string' && (AUTHORIZATION_FAILURES as readonly string[]).includes(type)) return type as AuthorizationFailure;
    current = cause ?? originalError;
  }
  return undefined;
}
