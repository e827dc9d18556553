/**
 * Errors with a Confluent error code. Handlers throw these; the HTTP layer turns
 * them into `{error_code, message}` with the matching status, so a bad request
 * never becomes a crash or a 500 by accident.
 */
export class RegistryError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** Confluent error codes this registry answers with. */
export const ErrorCode = {
  subjectNotFound: 40401,
  versionNotFound: 40402,
  schemaNotFound: 40403,
  subjectSoftDeleted: 40404,
  subjectNotSoftDeleted: 40405,
  versionSoftDeleted: 40406,
  versionNotSoftDeleted: 40407,
  incompatibleSchema: 409,
  invalidSchema: 42201,
  invalidVersion: 42202,
  invalidCompatibilityLevel: 42203,
  storeError: 50001,
  storeTimeout: 50002,
} as const;

export const subjectNotFound = (subject: string): RegistryError => new RegistryError(404, ErrorCode.subjectNotFound, `Subject '${subject}' not found.`);

export const versionNotFound = (subject: string, version: number | string): RegistryError =>
  new RegistryError(404, ErrorCode.versionNotFound, `Version ${version} not found for subject '${subject}'.`);

export const schemaNotFound = (detail: string): RegistryError => new RegistryError(404, ErrorCode.schemaNotFound, `Schema not found: ${detail}.`);

export const invalidSchema = (detail: string): RegistryError => new RegistryError(422, ErrorCode.invalidSchema, `Invalid schema: ${detail}`);

export const invalidVersion = (raw: string): RegistryError =>
  new RegistryError(422, ErrorCode.invalidVersion, `The specified version '${raw}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest".`);

export const badRequest = (message: string): RegistryError => new RegistryError(400, 400, message);

/** Thrown by a store that cannot read or write its backing log (broker down, timeout). */
export class SchemaStoreError extends RegistryError {
  constructor(message: string, options?: { timedOut?: boolean; cause?: unknown }) {
    super(500, options?.timedOut ? ErrorCode.storeTimeout : ErrorCode.storeError, message);
    this.name = 'SchemaStoreError';
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** The registry could not listen because another process holds the port. */
export class PortInUseError extends Error {
  readonly code = 'EADDRINUSE';
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`Schema registry cannot listen on ${host}:${port}: port ${port} is already in use`);
    this.name = 'PortInUseError';
  }
}
