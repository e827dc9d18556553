// Shared by the pages: rendering with htm over Preact, the API client, and formatting.
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);

/** A one-line error from the API (its `error` field), with the status. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const TOKEN_KEY = 'mesh-console-token';

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token && method !== 'GET') headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'the console server does not answer');
  }
  const data = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new ApiError(res.status, data.error ?? `${res.status} ${res.statusText}`);
  return data;
}

export const getJson = (path) => call('GET', path);

/** A POST of an action; a 401 asks once for the console's token and tries again. */
export async function postJson(path, body) {
  try {
    return await call('POST', path, body);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    const token = window.prompt(`${error.message}\nConsole token:`);
    if (!token) throw error;
    sessionStorage.setItem(TOKEN_KEY, token);
    return call('POST', path, body);
  }
}

/** Loads `path` now and every `everyMs` (0: once); returns { data, error, loading, reload }. */
export function useApi(path, everyMs = 0) {
  const [state, setState] = useState({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    let timer;
    const load = async () => {
      try {
        const data = await getJson(path);
        if (live) setState({ data, error: undefined, loading: false });
      } catch (error) {
        if (live) setState((s) => ({ data: s.data, error: error.message, loading: false }));
      }
      if (live && everyMs > 0) timer = setTimeout(load, everyMs);
    };
    setState((s) => ({ ...s, loading: true }));
    load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [path, everyMs, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export const fmt = {
  num(n, digits = 1) {
    if (n === null || n === undefined) return '–';
    if (Number.isInteger(n) || Math.abs(n) >= 100) return String(Math.round(n));
    return n.toFixed(digits);
  },
  pct(n) {
    return n === null || n === undefined ? '–' : `${(n * 100).toFixed(n > 0 && n < 0.01 ? 2 : 1)}%`;
  },
  ms(n) {
    if (n === null || n === undefined) return '–';
    return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`;
  },
  secs(n) {
    if (n === null || n === undefined) return '–';
    if (n < 60) return `${n.toFixed(n < 10 ? 1 : 0)} s`;
    return `${Math.floor(n / 60)}m${String(Math.round(n % 60)).padStart(2, '0')}s`;
  },
  time(ms) {
    if (ms === null || ms === undefined || ms === '-') return '–';
    const d = typeof ms === 'string' ? new Date(ms) : new Date(ms);
    return Number.isNaN(d.getTime()) ? String(ms) : d.toLocaleString();
  },
  ago(ms, now = Date.now()) {
    if (!ms) return '–';
    const s = Math.max(0, (now - ms) / 1000);
    if (s < 60) return `${Math.round(s)}s ago`;
    if (s < 3600) return `${Math.round(s / 60)}m ago`;
    return `${(s / 3600).toFixed(1)}h ago`;
  },
};

export const link = (hash) => `#${hash}`;
export const enc = encodeURIComponent;

/** The banner that says the mesh cannot be read (or has no agents), with when it was last read. */
export function Banner({ connection }) {
  if (!connection || connection.state === 'ok') return null;
  const stale = connection.lastOkAt ? ` Showing what was read ${fmt.ago(connection.lastOkAt)}.` : '';
  return html`<div class="banner ${connection.state}" data-testid="banner" role="status">${connection.message}.${stale}</div>`;
}

export function ErrorLine({ error }) {
  return error ? html`<p class="error" data-testid="error">${error}</p>` : null;
}

export function Badge({ kind, children }) {
  return html`<span class="badge ${kind}">${children}</span>`;
}
