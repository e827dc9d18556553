import { authorizationFailure } from './authorization';

/** kafkajs's shapes: a protocol error with `type`, wrapped by its retrier with the type left on the cause. */
function protocolError(type: string): Error & { type: string; retriable: boolean } {
  return Object.assign(new Error('Not authorized to access topics: [Topic authorization failed]'), { name: 'KafkaJSProtocolError', type, retriable: false });
}

function wrapped(cause: unknown, name = 'KafkaJSNonRetriableError'): Error {
  return Object.assign(new Error('Not authorized to access topics: [Topic authorization failed]', { cause }), { name });
}

describe('authorizationFailure', () => {
  it('names the authorization error itself', () => {
    expect(authorizationFailure(protocolError('TOPIC_AUTHORIZATION_FAILED'))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(authorizationFailure(protocolError('GROUP_AUTHORIZATION_FAILED'))).toBe('GROUP_AUTHORIZATION_FAILED');
    expect(authorizationFailure(protocolError('CLUSTER_AUTHORIZATION_FAILED'))).toBe('CLUSTER_AUTHORIZATION_FAILED');
  });

  it('finds it under the retry wrappers kafkajs puts around it', () => {
    expect(authorizationFailure(wrapped(protocolError('TOPIC_AUTHORIZATION_FAILED')))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(authorizationFailure(wrapped(wrapped(protocolError('TOPIC_AUTHORIZATION_FAILED')), 'KafkaJSNumberOfRetriesExceeded'))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(authorizationFailure(Object.assign(new Error('x'), { originalError: protocolError('CLUSTER_AUTHORIZATION_FAILED') }))).toBe('CLUSTER_AUTHORIZATION_FAILED');
  });

  it('says nothing of other errors, however they are wrapped', () => {
    expect(authorizationFailure(protocolError('NOT_LEADER_FOR_PARTITION'))).toBeUndefined();
    expect(authorizationFailure(wrapped(protocolError('UNKNOWN_TOPIC_OR_PARTITION')))).toBeUndefined();
    expect(authorizationFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(authorizationFailure('TOPIC_AUTHORIZATION_FAILED')).toBeUndefined();
    expect(authorizationFailure(undefined)).toBeUndefined();
  });

  it('stops on a cycle of causes', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(authorizationFailure(a)).toBeUndefined();
  });
});
