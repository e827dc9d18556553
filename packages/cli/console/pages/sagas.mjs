// Sagas: by state, one saga's timeline and steps, and resume for a stuck one.
import { useState } from 'preact/hooks';
import { Badge, ErrorLine, enc, fmt, html, postJson, useApi } from '../lib.mjs';

const STATES = ['all', 'running', 'compensating', 'completed', 'compensated', 'stuck', 'compensation_failed', 'forward_failed'];
const KIND = { running: 'muted', compensating: 'warn', completed: 'ok', compensated: 'warn', compensation_failed: 'bad', forward_failed: 'bad' };

function SagaList() {
  const [state, setState] = useState('all');
  const { data, error } = useApi(`/api/sagas?state=${state}`, 5000);
  return html`
    <h1>Sagas</h1>
    ${data ? html`<div class="counts" data-testid="saga-counts">${Object.entries(data.counts).map(([s, n]) => html`<button class=${`count ${state === s ? 'active' : ''}`} onClick=${() => setState(s)}><${Badge} kind=${KIND[s]}>${s}<//> ${n}</button>`)}</div>` : null}
    <label
      >state
      <select value=${state} onChange=${(e) => setState(e.target.value)}>
        ${STATES.map((s) => html`<option value=${s}>${s}</option>`)}
      </select></label
    >
    <${ErrorLine} error=${error} />
    ${
      !data
        ? error
          ? null
          : html`<p class="loading">reading the saga store…</p>`
        : data.sagas.length === 0
          ? html`<p class="empty" data-testid="empty">no sagas${state === 'all' ? '' : ` in state ${state}`}</p>`
          : html`<table class="grid" data-testid="sagas">
              <thead>
                <tr>
                  <th>saga</th>
                  <th>type</th>
                  <th>status</th>
                  <th>step</th>
                  <th>started</th>
                  <th>trace</th>
                </tr>
              </thead>
              <tbody>
                ${data.sagas.map(
                  (s) =>
                    html`<tr class=${KIND[s.status] === 'bad' ? 'row-bad' : ''}>
                      <td><a href="#/sagas/${enc(s.id)}" data-testid="saga-link">${s.id}</a></td>
                      <td>${s.type}</td>
                      <td><${Badge} kind=${KIND[s.status]}>${s.status}<//></td>
                      <td>${s.step}</td>
                      <td>${fmt.time(s.startedAt)}</td>
                      <td>${s.traceId ? html`<a href="#/trace/${enc(s.traceId)}">${s.traceId.slice(0, 12)}…</a>` : '–'}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }
  `;
}

function SagaDetail({ id }) {
  const { data, error, reload } = useApi(`/api/sagas/${enc(id)}`, 3000);
  const [resumed, setResumed] = useState(undefined);
  const [resumeError, setResumeError] = useState(undefined);
  const resume = async () => {
    setResumeError(undefined);
    try {
      setResumed((await postJson(`/api/sagas/${enc(id)}/resume`, {})).message);
      reload();
    } catch (e) {
      setResumeError(e.message);
    }
  };
  if (!data)
    return html`<h1>Saga ${id}</h1>
      <${ErrorLine} error=${error} />`;
  const stuck = data.status === 'compensation_failed' || data.status === 'forward_failed';
  const start = data.startedAt;
  return html`
    <div class="title-row">
      <h1>Saga ${data.id}</h1>
      <${Badge} kind=${KIND[data.status]}>${data.status}<//>
      <span class="muted">${data.type} · ${data.step}</span>
      <span class="spacer"></span>
      ${data.traceId ? html`<a href="#/trace/${enc(data.traceId)}">trace →</a>` : null} ${stuck ? html`<button class="primary" onClick=${resume} data-testid="resume">Resume</button>` : null}
    </div>
    ${resumed ? html`<p class="result ok" data-testid="resume-result">${resumed}</p>` : null}
    <${ErrorLine} error=${resumeError} />
    <h2>Timeline</h2>
    <table class="grid" data-testid="timeline">
      <thead>
        <tr>
          <th class="num">+time</th>
          <th>event</th>
          <th>step</th>
          <th>detail</th>
        </tr>
      </thead>
      <tbody>
        ${data.timeline.map(
          (e) =>
            html`<tr class=${/FAIL|STUCK|TIMEOUT/.test(e.type) ? 'row-bad' : ''}>
              <td class="num">${fmt.ms(e.at - start)}</td>
              <td>${e.type}</td>
              <td>${e.step ?? ''}</td>
              <td>${e.detail ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Steps</h2>
    <table class="grid">
      <thead>
        <tr>
          <th>step</th>
          <th>status</th>
          <th class="num">attempts</th>
        </tr>
      </thead>
      <tbody>
        ${data.steps.map(
          (s) =>
            html`<tr>
              <td>${s.name}</td>
              <td>${s.status}</td>
              <td class="num">${s.attempts}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Data</h2>
    <pre>${JSON.stringify(data.data, null, 2)}</pre>
  `;
}

export function SagasPage({ param }) {
  return param ? html`<${SagaDetail} id=${param} />` : html`<${SagaList} />`;
}
