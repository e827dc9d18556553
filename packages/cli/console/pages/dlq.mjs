// Dead letters: every agent's DLQ; one agent's newest letters with filters and each one's failure history; replay (dry run first).
import { useState } from 'preact/hooks';
import { Badge, ErrorLine, enc, fmt, html, postJson, useApi } from '../lib.mjs';

const KINDS = ['', 'transient', 'permanent', 'timeout', 'invalid-input'];

function DlqList() {
  const { data, error } = useApi('/api/dlq', 5000);
  return html`
    <h1>Dead letters</h1>
    <${ErrorLine} error=${error} />
    ${
      !data
        ? error
          ? null
          : html`<p class="loading">reading the DLQ topics…</p>`
        : data.agents.length === 0
          ? html`<p class="empty" data-testid="empty">no dead-letter topics (*.dlq) on this cluster</p>`
          : html`<table class="grid" data-testid="dlq-topics">
              <thead>
                <tr>
                  <th>agent</th>
                  <th>topic</th>
                  <th class="num">records</th>
                </tr>
              </thead>
              <tbody>
                ${data.agents.map(
                  (a) =>
                    html`<tr class=${a.records > 0 ? 'row-warn' : ''}>
                      <td><a href="#/dlq/${enc(a.agent)}">${a.agent}</a></td>
                      <td>${a.topic}</td>
                      <td class="num">${a.records}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }
  `;
}

function queryOf(filter) {
  const q = new URLSearchParams();
  if (filter.kind) q.append('where', `error-kind=${filter.kind}`);
  if (filter.message) q.append('where', `error-message=${filter.message}`);
  if (filter.since) q.set('since', filter.since);
  q.set('limit', String(filter.limit));
  return q.toString();
}

function whereOf(filter) {
  return [filter.kind ? `error-kind=${filter.kind}` : '', filter.message ? `error-message=${filter.message}` : ''].filter(Boolean);
}

function Letter({ letter, open, onToggle }) {
  return html`
    <tr class="clickable" onClick=${onToggle} data-testid="letter-row" data-event=${letter.eventId}>
      <td>${fmt.time(letter.dlq.deadLetteredAt)}</td>
      <td><${Badge} kind=${letter.kind === 'transient' || letter.kind === 'timeout' ? 'warn' : 'bad'}>${letter.kind}<//></td>
      <td>${letter.errorClass}</td>
      <td class="message">${letter.errorMessage}</td>
      <td class="num">${letter.attempts}</td>
      <td>${letter.key ?? '–'}</td>
      <td><a href="#/trace/${enc(letter.eventId)}" onClick=${(e) => e.stopPropagation()} title="the event's journey">${letter.eventId.slice(0, 13)}…</a></td>
      <td>${letter.replay ? html`<${Badge} kind="muted">replayed before<//>` : ''}</td>
    </tr>
    ${
      open
        ? html`<tr class="detail">
            <td colspan="8">
              <div class="detail-grid">
                <div>
                  <h3>Failure history</h3>
                  <table class="grid compact" data-testid="failure-history">
                    <thead>
                      <tr>
                        <th class="num">attempt</th>
                        <th>at</th>
                        <th>kind</th>
                        <th>error</th>
                        <th>agent</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${letter.history.map(
                        (f) =>
                          html`<tr>
                            <td class="num">${f.attempt}</td>
                            <td>${fmt.time(f.at)}</td>
                            <td>${f.kind}</td>
                            <td>${f.errorClass}: ${f.message}</td>
                            <td>${f.agent}</td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                  <p class="muted small">
                    origin ${letter.origin.topic}/${letter.origin.partition}@${letter.origin.offset} · DLQ ${letter.dlq.topic}/${letter.dlq.partition}@${letter.dlq.offset} · event ${letter.eventId}
                  </p>
                </div>
                <div>
                  <h3>Value (${letter.value.encoding})</h3>
                  <pre>
${letter.value.encoding === 'null' ? '(no value)' : letter.value.encoding === 'hex' ? letter.value.hex : letter.value.encoding === 'utf8' ? letter.value.text : JSON.stringify(letter.value.value, null, 2)}</pre>
                  ${
                    letter.errorStack
                      ? html`<details>
                          <summary>stack</summary>
                          <pre>${letter.errorStack}</pre>
                        </details>`
                      : null
                  }
                </div>
              </div>
            </td>
          </tr>`
        : null
    }
  `;
}

function Replay({ agent, filter, onDone }) {
  const [dry, setDry] = useState(undefined);
  const [done, setDone] = useState(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(undefined);
  const run = async (dryRun) => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await postJson(`/api/dlq/${enc(agent)}/replay`, { dryRun, where: whereOf(filter), ...(filter.since ? { since: filter.since } : {}) });
      if (dryRun) setDry(result);
      else {
        setDone(result);
        setDry(undefined);
        onDone();
      }
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="panel" data-testid="replay-panel">
    <h2>Replay</h2>
    <p class="muted small">
      Sends the dead letters that match the filter (and are after the replay cursor) back through ${agent}.retry.0, the same way as <code>mesh dlq replay</code>: the store is checked first, and a dry
      run changes nothing.
    </p>
    <div class="actions">
      <button onClick=${() => run(true)} disabled=${busy} data-testid="dry-run">Dry run</button>
      <button class="primary" onClick=${() => run(false)} disabled=${busy || !dry || dry.counts.replayed === 0} data-testid="replay">Replay ${dry ? dry.counts.replayed : ''}</button>
      ${busy ? html`<span class="muted">working…</span>` : null}
    </div>
    <${ErrorLine} error=${error} />
    ${
      dry
        ? html`<div class="result" data-testid="dry-run-result">
            <p>${dry.summary}</p>
            ${dry.lines.length > 0 ? html`<pre class="lines">${dry.lines.join('\n')}</pre>` : null}
          </div>`
        : null
    }
    ${done ? html`<div class="result ok" data-testid="replay-result"><p>${done.summary}</p></div>` : null}
  </section>`;
}

function AgentLetters({ agent }) {
  const [filter, setFilter] = useState({ kind: '', message: '', since: '', limit: 50 });
  const [draft, setDraft] = useState(filter);
  const [open, setOpen] = useState(undefined);
  const { data, error, loading, reload } = useApi(`/api/dlq/${enc(agent)}?${queryOf(filter)}`);
  const apply = (e) => {
    e.preventDefault();
    setFilter(draft);
  };
  return html`
    <div class="title-row">
      <h1>Dead letters of <a href="#/agents/${enc(agent)}">${agent}</a></h1>
      <span class="spacer"></span><a href="#/dlq">all DLQs</a>
    </div>
    <form class="filters" onSubmit=${apply}>
      <label
        >kind
        <select value=${draft.kind} onChange=${(e) => setDraft({ ...draft, kind: e.target.value })} data-testid="filter-kind">
          ${KINDS.map((k) => html`<option value=${k}>${k || 'any'}</option>`)}
        </select></label
      >
      <label>message contains <input value=${draft.message} onInput=${(e) => setDraft({ ...draft, message: e.target.value })} data-testid="filter-message" /></label>
      <label>since <input value=${draft.since} placeholder="2h, 2025-06-01" size="10" onInput=${(e) => setDraft({ ...draft, since: e.target.value })} /></label>
      <label>newest <input type="number" min="1" max="500" value=${draft.limit} onInput=${(e) => setDraft({ ...draft, limit: Number(e.target.value) || 50 })} /></label>
      <button type="submit">Filter</button>
      <button type="button" onClick=${reload}>Refresh</button>
    </form>
    <${ErrorLine} error=${error} />
    ${
      !data
        ? loading
          ? html`<p class="loading">reading ${agent}.dlq…</p>`
          : null
        : data.letters.length === 0
          ? html`<p class="empty" data-testid="empty">no dead letters match</p>`
          : html`<table class="grid" data-testid="letters">
              <thead>
                <tr>
                  <th>dead-lettered</th>
                  <th>kind</th>
                  <th>error</th>
                  <th>message</th>
                  <th class="num">attempts</th>
                  <th>key</th>
                  <th>event</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                ${data.letters.map((l) => html`<${Letter} key=${`${l.dlq.partition}@${l.dlq.offset}`} letter=${l} open=${open === l.dlq.offset + '/' + l.dlq.partition} onToggle=${() => setOpen(open === l.dlq.offset + '/' + l.dlq.partition ? undefined : l.dlq.offset + '/' + l.dlq.partition)} />`)}
              </tbody>
            </table>`
    }
    <${Replay} agent=${agent} filter=${filter} onDone=${reload} />
  `;
}

export function DlqPage({ param }) {
  return param ? html`<${AgentLetters} agent=${param} />` : html`<${DlqList} />`;
}
