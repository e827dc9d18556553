import { badRequest } from '../errors';
import { parseVersionRef, type SchemaRegistryService } from '../registry';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Already-serialised JSON to send as is (e.g. a schema document). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** What a route gets: decoded path parameters, the query string and the parsed body. */
export interface RouteRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Parses the body as JSON; throws a 400 RegistryError when it is not JSON. */
  json(): unknown;
}

export type RouteHandler = (request: RouteRequest) => Promise<unknown>;

interface Route {
  readonly method: HttpMethod;
  /** Path segments; `:name` captures one (URL-decoded) segment. */
  readonly pattern: readonly string[];
  readonly handler: RouteHandler;
}

const flag = (query: URLSearchParams, name: string): boolean => query.get(name) === 'true';

function schemaId(raw: string): number {
  if (!/^[0-9]+$/.test(raw)) throw badRequest(`Schema id '${raw}' is not a positive integer`);
  return Number(raw);
}

/** The endpoint table: Confluent's paths mapped onto SchemaRegistryService. */
export function registryRoutes(service: SchemaRegistryService): Route[] {
  const route = (method: HttpMethod, path: string, handler: RouteHandler): Route => ({
    method,
    pattern: path.split('/').filter((s) => s.length > 0),
    handler,
  });
  return [
    route('GET', '/', async () => ({})),
    route('GET', '/schemas/types', async () => ['AVRO']),
    route('GET', '/schemas/ids/:id', (r) => service.getSchemaById(schemaId(r.params.id))),
    route('GET', '/schemas/ids/:id/schema', async (r) => new RawJson((await service.getSchemaById(schemaId(r.params.id))).schema)),
    route('GET', '/schemas/ids/:id/versions', (r) => service.getSubjectVersionsForId(schemaId(r.params.id))),
    route('GET', '/subjects', (r) => service.listSubjects(flag(r.query, 'deleted'))),
    route('POST', '/subjects/:subject', (r) => service.lookup(r.params.subject, r.json(), flag(r.query, 'deleted'))),
    route('DELETE', '/subjects/:subject', (r) => service.deleteSubject(r.params.subject, flag(r.query, 'permanent'))),
    route('GET', '/subjects/:subject/versions', (r) => service.listVersions(r.params.subject, flag(r.query, 'deleted'))),
    route('POST', '/subjects/:subject/versions', (r) => service.register(r.params.subject, r.json())),
    route('GET', '/subjects/:subject/versions/:version', (r) => service.getVersion(r.params.subject, parseVersionRef(r.params.version), flag(r.query, 'deleted'))),
    route('GET', '/subjects/:subject/versions/:version/schema', async (r) => {
      const found = await service.getVersion(r.params.subject, parseVersionRef(r.params.version), flag(r.query, 'deleted'));
      return new RawJson(found.schema);
    }),
    route('DELETE', '/subjects/:subject/versions/:version', (r) => service.deleteVersion(r.params.subject, parseVersionRef(r.params.version), flag(r.query, 'permanent'))),
    route('POST', '/compatibility/subjects/:subject/versions/:version', (r) => service.testCompatibility(r.params.subject, parseVersionRef(r.params.version), r.json(), flag(r.query, 'verbose'))),
    route('POST', '/compatibility/subjects/:subject/versions', (r) => service.testCompatibility(r.params.subject, { kind: 'latest' }, r.json(), flag(r.query, 'verbose'))),
    route('GET', '/config', () => service.getGlobalConfig()),
    route('PUT', '/config', (r) => service.setConfig(null, r.json())),
    route('GET', '/config/:subject', (r) => service.getSubjectConfig(r.params.subject, flag(r.query, 'defaultToGlobal'))),
    route('PUT', '/config/:subject', (r) => service.setConfig(r.params.subject, r.json())),
    route('DELETE', '/config/:subject', (r) => service.deleteSubjectConfig(r.params.subject)),
  ];
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly handler: RouteHandler; readonly params: Record<string, string> }
  | { readonly kind: 'wrong-method'; readonly allowed: HttpMethod[] }
  | { readonly kind: 'not-found' };

/** Matches decoded path segments against the table. */
export function matchRoute(routes: readonly Route[], method: string, segments: readonly string[]): RouteMatch {
  const allowed: HttpMethod[] = [];
  for (const route of routes) {
    if (route.pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = route.pattern.every((part, i) => {
      if (part.startsWith(':')) {
        params[part.slice(1)] = segments[i];
        return true;
      }
      return part === segments[i];
    });
    if (!fits) continue;
    if (route.method === method) return { kind: 'found', handler: route.handler, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'not-found' };
}
