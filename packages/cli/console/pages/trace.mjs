// One event's journey as a waterfall: every hop, retry, dead letter and saga message, placed in time.
import { useState } from 'preact/hooks';
import { ErrorLine, enc, fmt, html, useApi } from '../lib.mjs';

const KIND_CLASS = { ok: 'ok', retry: 'warn', parked: 'muted', replayed: 'muted', 'dead-lettered': 'bad', degraded: 'warn', 'saga-command': 'ok', 'saga-reply': 'ok', 'saga-stuck': 'bad' };

function Waterfall({ id }) {
  const { data, error, loading } = useApi(`/api/trace/${enc(id)}`);
  if (!data) return html`<${ErrorLine} error=${error} />${loading ? html`<p class="loading">bringing the trace index up to date…</p>` : null}`;
  const total = Math.max(data.durationMs, 1);
  return html`
    <p class="muted">
      ${data.counts.records} records · ${data.counts.retries} retries · ${data.counts.deadLetters} dead letters · ${fmt.ms(data.durationMs)} · started ${fmt.time(data.startedAt)}
      ${data.jaeger ? html` · <a href=${data.jaeger} target="_blank" rel="noopener">Jaeger</a>` : null}
    </p>
    <table class="grid waterfall" data-testid="waterfall">
      <thead>
        <tr>
          <th>record</th>
          <th>agent</th>
          <th>what</th>
          <th class="bar-col">time</th>
        </tr>
      </thead>
      <tbody>
        ${data.hops.map(
          (hop, i) =>
            html`<tr data-testid="hop" class=${`hop-${hop.outcome.kind}`}>
              <td style=${`padding-left:${0.5 + hop.depth * 1.2}rem`}>${hop.topic}<span class="muted small"> ${hop.partition}@${hop.offset}</span></td>
              <td>${hop.agent ?? '–'}</td>
              <td>${data.outcomes[i]}</td>
              <td class="bar-col">
                <div class="bar-track">
                  <div
                    class=${`bar ${KIND_CLASS[hop.outcome.kind] ?? 'muted'}`}
                    style=${`left:${(hop.startMs / total) * 100}%;width:${Math.max(0.8, (hop.durationMs / total) * 100)}%`}
                    title=${`+${fmt.ms(hop.startMs)}, ${fmt.ms(hop.durationMs)}`}
                  ></div>
                </div>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  `;
}

export function TracePage({ param }) {
  const [draft, setDraft] = useState(param ?? '');
  const go = (e) => {
    e.preventDefault();
    if (draft.trim()) location.hash = `#/trace/${enc(draft.trim())}`;
  };
  return html`
    <h1>Trace</h1>
    <form class="filters" onSubmit=${go}>
      <label>event, correlation, trace or saga id <input value=${draft} size="48" onInput=${(e) => setDraft(e.target.value)} data-testid="trace-id" /></label>
      <button type="submit">Trace</button>
    </form>
    ${param ? html`<${Waterfall} id=${param} />` : html`<p class="muted">Give an id to draw its journey.</p>`}
  `;
}
