import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { RegistryError, badRequest } from '../errors';
import type { SchemaRegistryService } from '../registry';
import { RawJson, matchRoute, registryRoutes } from './routes';
import { basicAuthAllows, type RegistryUser } from './basic-auth';

export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
/** Schemas are small; 16 MiB leaves room for huge ones while bounding memory per request. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface RegistryHttpOptions {
  readonly maxBodyBytes?: number;
  /** Called with unexpected (non-RegistryError) failures, which are answered 500. */
  readonly onInternalError?: (error: unknown) => void;
  /** When given, every request must carry one of these users in HTTP basic auth, else 401. */
  readonly basicAuthUsers?: readonly RegistryUser[];
}

class BodyTooLargeError extends RegistryError {
  constructor(limit: number) {
    super(413, 413, `Request body is larger than the limit of ${limit} bytes`);
  }
}

/**
 * Reads the whole body, keeping at most `limit` bytes. Past the limit we go on reading
 * and discarding (up to a hard bound) instead of resetting the socket, so the client
 * finishes sending and then reads our 413 rather than a connection reset.
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const hardBound = limit * 4;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limit) chunks.push(chunk);
      else chunks.length = 0;
      if (received > hardBound) request.destroy(); // a client that never stops sending
    });
    request.on('end', () => (received > limit ? reject(new BodyTooLargeError(limit)) : resolve(Buffer.concat(chunks))));
    request.on('error', reject);
    request.on('close', () => {
      if (!request.complete) reject(badRequest('Request body was cut short'));
    });
  });
}

function decodeSegments(pathname: string): string[] {
  try {
    return pathname
      .split('/')
      .filter((s) => s.length > 0)
      .map((s) => decodeURIComponent(s));
  } catch {
    throw badRequest(`Path '${pathname}' is not valid URL encoding`);
  }
}

function send(response: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = body instanceof RawJson ? body.text : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text).toString(),
    ...extraHeaders,
  });
  response.end(text);
}

/** Creates (does not start) the HTTP server for a registry service. */
export function createRegistryHttpServer(service: SchemaRegistryService, options: RegistryHttpOptions = {}): Server {
  const routes = registryRoutes(service);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://registry.invalid');
    const match = matchRoute(routes, request.method ?? 'GET', decodeSegments(url.pathname));
    const body = await readBody(request, limit);
    if (options.basicAuthUsers && !basicAuthAllows(request.headers.authorization, options.basicAuthUsers)) {
      send(response, 401, { error_code: 401, message: 'Unauthorized: this registry requires basic auth' }, { 'www-authenticate': 'Basic realm="schema-registry"' });
      return;
    }
    if (match.kind === 'not-found') {
      send(response, 404, { error_code: 404, message: `HTTP 404 Not Found: no endpoint ${url.pathname}` });
      return;
    }
    if (match.kind === 'wrong-method') {
      send(response, 405, { error_code: 405, message: `HTTP 405 Method Not Allowed: use ${match.allowed.join(', ')}` }, { allow: match.allowed.join(', ') });
      return;
    }
    const result = await match.handler({
      params: match.params,
      query: url.searchParams,
      json: () => {
        const text = body.toString('utf8');
        if (text.trim() === '') throw badRequest('Request body is empty; expected JSON');
        try {
          return JSON.parse(text) as unknown;
        } catch (error) {
          throw badRequest(`Request body is not valid JSON: ${(error as Error).message}`);
        }
      },
    });
    send(response, 200, result);
  };

  return createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof RegistryError) {
        send(response, error.httpStatus, { error_code: error.errorCode, message: error.message });
        return;
      }
      options.onInternalError?.(error);
      send(response, 500, { error_code: 50001, message: `Internal error: ${(error as Error)?.message ?? String(error)}` });
    });
  });
}
