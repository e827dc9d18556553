// The console's shell: the navigation and hash routing (#/agents, #/agents/<name>, #/dlq/<agent>, #/sagas/<id>, #/trace/<id>, #/alerts).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './lib.mjs';
import { AgentsPage } from './pages/agents.mjs';

const lazy = {
  agent: () => import('./pages/agent.mjs').then((m) => m.AgentPage),
  dlq: () => import('./pages/dlq.mjs').then((m) => m.DlqPage),
  sagas: () => import('./pages/sagas.mjs').then((m) => m.SagasPage),
  trace: () => import('./pages/trace.mjs').then((m) => m.TracePage),
  alerts: () => import('./pages/alerts.mjs').then((m) => m.AlertsPage),
};

/** The page and its parameter for a hash such as `#/dlq/ocr`. */
export function routeOf(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const [page, param] = [parts[0] || 'agents', parts.slice(1).join('/') || undefined];
  if (page === 'agents' && param) return { page: 'agent', param };
  if (['agents', 'dlq', 'sagas', 'trace', 'alerts'].includes(page)) return { page, param };
  return { page: 'agents', param: undefined };
}

function useHash() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function Page({ route }) {
  const [component, setComponent] = useState(() => (route.page === 'agents' ? AgentsPage : undefined));
  useEffect(() => {
    if (route.page === 'agents') return setComponent(() => AgentsPage);
    let live = true;
    setComponent(undefined);
    lazy[route.page]().then((c) => live && setComponent(() => c));
    return () => {
      live = false;
    };
  }, [route.page]);
  if (!component) return html`<p class="loading">loading…</p>`;
  const Component = component;
  return html`<${Component} param=${route.param} />`;
}

const NAV = [
  ['agents', 'Agents'],
  ['dlq', 'Dead letters'],
  ['sagas', 'Sagas'],
  ['trace', 'Trace'],
  ['alerts', 'Alerts'],
];

function App() {
  const route = routeOf(useHash());
  const section = route.page === 'agent' ? 'agents' : route.page;
  return html`
    <header class="top">
      <a class="brand" href="#/agents">agentmesh</a>
      <nav>${NAV.map(([page, label]) => html`<a href="#/${page}" class=${section === page ? 'active' : ''} data-testid="nav-${page}">${label}</a>`)}</nav>
    </header>
    <main><${Page} key=${`${route.page}/${route.param ?? ''}`} route=${route} /></main>
  `;
}

const root = document.getElementById('app');
// The loading line was for before the modules arrived; Preact renders into an empty root.
root.textContent = '';
render(html`<${App} />`, root);
