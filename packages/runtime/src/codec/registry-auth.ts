import type { SchemaRegistryAPIClientArgs } from '@kafkajs/confluent-schema-registry/dist/api';
import type { RegistryAuth } from '../connection/settings';

type Middleware = NonNullable<SchemaRegistryAPIClientArgs['middlewares']>[number];

/** Adds `Authorization: Bearer <token>` to every registry request. */
function bearerMiddleware(token: string): Middleware {
  return () => ({ prepareRequest: (next) => next().then((request) => request.enhance({ headers: { authorization: `Bearer ${token}` } })) });
}

/** The schema-registry client arguments that carry these credentials. */
export function registryClientAuth(auth: RegistryAuth | undefined): Pick<SchemaRegistryAPIClientArgs, 'auth' | 'middlewares'> {
  if (!auth) return {};
  return auth.kind === 'basic' ? { auth: { username: auth.username, password: auth.password } } : { middlewares: [bearerMiddleware(auth.token)] };
}

/** The `Authorization` header value for plain HTTP calls to the registry (fetch). */
export function registryAuthorizationHeader(auth: RegistryAuth | undefined): Record<string, string> {
  if (!auth) return {};
  const value = auth.kind === 'basic' ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` : `Bearer ${auth.token}`;
  return { authorization: value };
}
