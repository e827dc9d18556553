/** Every route the console answers: the JSON API, the assets and the page. */
export type Route =
  | { name: 'page' }
  | { name: 'asset'; path: string }
  | { name: 'fleet' }
  | { name: 'agent'; agent: string }
  | { name: 'alerts' }
  | { name: 'dlq-list' }
  | { name: 'dlq-letters'; agent: string }
  | { name: 'dlq-replay'; agent: string }
  | { name: 'saga-list' }
  | { name: 'saga'; id: string }
  | { name: 'saga-resume'; id: string }
  | { name: 'trace'; id: string };

export type RouteMatch = { route: Route } | { status: 404 | 405; error: string };

const API: ReadonlyArray<{ method: 'GET' | 'POST'; pattern: RegExp; build: (params: string[]) => Route }> = [
  { method: 'GET', pattern: /^\/api\/fleet$/, build: () => ({ name: 'fleet' }) },
  { method: 'GET', pattern: /^\/api\/agents\/([^/]+)$/, build: ([agent]) => ({ name: 'agent', agent: agent! }) },
  { method: 'GET', pattern: /^\/api\/alerts$/, build: () => ({ name: 'alerts' }) },
  { method: 'GET', pattern: /^\/api\/dlq$/, build: () => ({ name: 'dlq-list' }) },
  { method: 'GET', pattern: /^\/api\/dlq\/([^/]+)$/, build: ([agent]) => ({ name: 'dlq-letters', agent: agent! }) },
  { method: 'POST', pattern: /^\/api\/dlq\/([^/]+)\/replay$/, build: ([agent]) => ({ name: 'dlq-replay', agent: agent! }) },
  { method: 'GET', pattern: /^\/api\/sagas$/, build: () => ({ name: 'saga-list' }) },
  { method: 'GET', pattern: /^\/api\/sagas\/([^/]+)$/, build: ([id]) => ({ name: 'saga', id: id! }) },
  { method: 'POST', pattern: /^\/api\/sagas\/([^/]+)\/resume$/, build: ([id]) => ({ name: 'saga-resume', id: id! }) },
  { method: 'GET', pattern: /^\/api\/trace\/([^/]+)$/, build: ([id]) => ({ name: 'trace', id: id! }) },
];

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The route for a method and path (without the query); path segments come back decoded. */
export function matchRoute(method: string, pathname: string): RouteMatch {
  if (pathname === '/' || pathname === '/index.html') return method === 'GET' || method === 'HEAD' ? { route: { name: 'page' } } : { status: 405, error: `${method} is not allowed on ${pathname}` };
  if (pathname.startsWith('/assets/')) {
    if (method !== 'GET' && method !== 'HEAD') return { status: 405, error: `${method} is not allowed on ${pathname}` };
    return { route: { name: 'asset', path: pathname.slice('/assets/'.length) } };
  }
  let pathMatched = false;
  for (const entry of API) {
    const found = entry.pattern.exec(pathname);
    if (!found) continue;
    pathMatched = true;
    if (entry.method !== method) continue;
    const params = found.slice(1).map(decodeSegment);
    if (params.some((p) => p === undefined || p === '')) return { status: 404, error: `no such resource: ${pathname}` };
    return { route: entry.build(params as string[]) };
  }
  if (pathMatched) return { status: 405, error: `${method} is not allowed on ${pathname}` };
  return { status: 404, error: `no such resource: ${pathname}` };
}
