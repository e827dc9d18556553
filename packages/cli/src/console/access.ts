import { isIP } from 'node:net';

/** The console refused to start or to act: said in one line. */
export class ConsoleAccessError extends Error {
  override readonly name = 'ConsoleAccessError';
}

/** Hosts that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

export interface BindingRequest {
  host: string;
  token: string | undefined;
  insecure: boolean;
}

/**
 * The binding rule: loopback always; any other host only with a token (which then guards the actions) or when the
 * operator says --insecure. Returns a warning to print for an insecure binding.
 */
export function checkBinding({ host, token, insecure }: BindingRequest): { warning?: string } {
  if (isLoopbackHost(host)) return {};
  if (token !== undefined && token !== '') return {};
  if (insecure) return { warning: `the console on ${host} is reachable from other machines with no token: anyone who reaches it can replay dead letters and resume sagas` };
  throw new ConsoleAccessError(`refusing to bind the console to ${host} without a token: set --token or MESH_CONSOLE_TOKEN (or pass --insecure to allow it anyway)`);
}

/** What the server knows of a request that wants to change something. */
export interface ActionRequest {
  method: string;
  /** The Host header. */
  host: string | undefined;
  origin: string | undefined;
  contentType: string | undefined;
  authorization: string | undefined;
}

export type ActionVerdict = { ok: true } | { ok: false; status: 401 | 403 | 415; error: string };

function sameText(a: string, b: string): boolean {
  // Every character compared, so the time taken does not tell how much of a guess was right.
  let differ = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) differ |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return differ === 0;
}

/**
 * Whether a state-changing request (replay, resume) may run: JSON only and from the console's own origin (so another
 * web page cannot post to it from a browser), and with the bearer token when one is configured.
 */
export function checkAction(request: ActionRequest, token: string | undefined): ActionVerdict {
  if (!(request.contentType ?? '').toLowerCase().startsWith('application/json')) return { ok: false, status: 415, error: 'actions take a JSON body (Content-Type: application/json)' };
  if (request.origin !== undefined && request.origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(request.origin).host;
    } catch {
      return { ok: false, status: 403, error: `origin '${request.origin}' is not this console` };
    }
    if (originHost !== request.host) return { ok: false, status: 403, error: `origin '${request.origin}' is not this console` };
  }
  if (token === undefined || token === '') return { ok: true };
  const given = /^Bearer\s+(.+)$/i.exec(request.authorization ?? '')?.[1]?.trim();
  if (given === undefined) return { ok: false, status: 401, error: 'this console needs its token for actions (Authorization: Bearer <token>)' };
  if (!sameText(given, token)) return { ok: false, status: 401, error: 'wrong console token' };
  return { ok: true };
}
