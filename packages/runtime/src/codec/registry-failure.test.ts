import { SchemaRegistryAuthError, SchemaRegistryUnavailableError } from './errors';
import { NOT_FOUND, registryFailure } from './registry-failure';

/** A failure as @kafkajs/confluent-schema-registry throws it: its message, and the HTTP status. */
const responseError = (status: number, text: string): Error => Object.assign(new Error(`Confluent_Schema_Registry - ${text}`), { status });

describe('registryFailure', () => {
  const url = 'https://sr-user:sr-secret-pw@registry.example.com:8081';

  it('makes a 401 a configuration error naming the registry (password redacted) and the settings to check', () => {
    const failure = registryFailure(url, "the latest schema of subject 'orders-value'", responseError(401, 'Unauthorized'));
    expect(failure).toBeInstanceOf(SchemaRegistryAuthError);
    const error = failure as SchemaRegistryAuthError;
    expect(error.status).toBe(401);
    expect(error.message).toBe(
      "schema registry at https://sr-user:***@registry.example.com:8081 refused the credentials (HTTP 401): check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD, or SCHEMA_REGISTRY_TOKEN (asking for the latest schema of subject 'orders-value')",
    );
    expect(error.message).not.toMatch(/sr-secret-pw|unavailable|unreachable/);
    expect(error.registryUrl).not.toContain('sr-secret-pw');
  });

  it('makes a 403 a configuration error too: the credentials lack the right', () => {
    const error = registryFailure('http://registry:8081', 'schema id 7', responseError(403, 'Forbidden'));
    expect(error).toBeInstanceOf(SchemaRegistryAuthError);
    expect((error as Error).message).toBe('schema registry at http://registry:8081 denied access (HTTP 403): the credentials lack the right to read schemas (asking for schema id 7)');
  });

  it('keeps events waiting rather than dead-lettered: an auth error is still one the worker holds on', () => {
    // process-event holds a partition on SchemaRegistryUnavailableError; a PermanentError would send every event to the DLQ.
    expect(registryFailure(url, 'x', responseError(401, 'Unauthorized'))).toBeInstanceOf(SchemaRegistryUnavailableError);
  });

  it('leaves 404 to the caller and everything else unavailable, with the socket error unwrapped', () => {
    expect(registryFailure(url, 'x', responseError(404, 'Subject not found'))).toBe(NOT_FOUND);
    const refused = registryFailure('http://127.0.0.1:1', 'schema id 3', responseError(400, 'Error, status 400: connect ECONNREFUSED 127.0.0.1:1'));
    expect(refused).not.toBeInstanceOf(SchemaRegistryAuthError);
    expect((refused as Error).message).toBe('schema registry at http://127.0.0.1:1 failed: could not get schema id 3: connect ECONNREFUSED 127.0.0.1:1');
    expect(registryFailure(url, 'x', responseError(500, 'boom'))).toBeInstanceOf(SchemaRegistryUnavailableError);
  });
});
