// The live fleet: one row per agent and coordinator, coloured by how it stands.
import { Badge, Banner, ErrorLine, enc, fmt, html, useApi } from '../lib.mjs';

const TREND = { healthy: 'ok', degrading: 'warn', unhealthy: 'bad', unknown: 'muted' };

function Row({ a }) {
  return html`<tr class="row-${a.status}" data-testid="agent-row" data-agent=${a.name}>
    <td>
      <a href="#/agents/${enc(a.name)}">${a.name}</a
      >${a.kind === 'coordinator' ? html` <${Badge} kind="muted">coordinator<//>` : null}${a.newerContract > 0 ? html` <${Badge} kind="warn" title="heartbeats of a newer contract">newer contract<//>` : null}
    </td>
    <td class="num">${a.alive}/${a.instances}</td>
    <td class="num">${a.lagRecords}</td>
    <td class="num">${fmt.secs(a.lagSeconds)}</td>
    <td class="num">${fmt.num(a.processedPerSecond)}</td>
    <td class="num">${fmt.pct(a.errorRate)}</td>
    <td class="num">${fmt.num(a.retriesPerMinute)}</td>
    <td class="num">${fmt.ms(a.p99Ms)}</td>
    <td class="num">${a.openBreakers}</td>
    <td class="num">${a.dlqSize > 0 ? html`<a href="#/dlq/${enc(a.name)}" data-testid="dlq-link">${a.dlqSize}</a>` : 0}</td>
    <td><${Badge} kind=${TREND[a.trend] ?? 'muted'}>${a.trend}<//></td>
    <td class="num">
      ${a.firing > 0 ? html`<a href="#/alerts"><${Badge} kind="bad">${a.firing} firing<//></a>` : ''}${a.anomalies > 0 ? html` <${Badge} kind="warn">${a.anomalies} anomal${a.anomalies === 1 ? 'y' : 'ies'}<//>` : ''}
    </td>
  </tr>`;
}

export function AgentsPage() {
  const { data, error } = useApi('/api/fleet', 3000);
  if (!data) return html`<${ErrorLine} error=${error} />${error ? null : html`<p class="loading">reading the fleet…</p>`}`;
  return html`
    <${Banner} connection=${data.connection} />
    <${ErrorLine} error=${error} />
    <div class="title-row">
      <h1>Agents</h1>
      <span class="muted">${data.at ? `read ${fmt.ago(data.at)} · window ${Math.round(data.windowMs / 60000)}m` : ''}</span>
      <span class="spacer"></span>
      ${data.alerts.firing > 0 ? html`<a href="#/alerts"><${Badge} kind="bad">${data.alerts.firing} alert${data.alerts.firing === 1 ? '' : 's'} firing<//></a>` : html`<${Badge} kind="ok">no alerts firing<//>`}
    </div>
    ${data.newerContractHeartbeats > 0 ? html`<p class="note">${data.newerContractHeartbeats} heartbeat(s) of a newer contract than this console knows: shown with the fields it knows.</p>` : null}
    ${data.undecodableHeartbeats > 0 ? html`<p class="note">${data.undecodableHeartbeats} heartbeat(s) could not be decoded and were skipped.</p>` : null}
    ${
      data.agents.length === 0
        ? html`<p class="empty" data-testid="empty">no agents to show yet</p>`
        : html`<table class="grid" data-testid="agents-table">
            <thead>
              <tr>
                <th>agent</th>
                <th class="num">up</th>
                <th class="num">lag</th>
                <th class="num">lag age</th>
                <th class="num">ok/s</th>
                <th class="num">errors</th>
                <th class="num">retries/min</th>
                <th class="num">p99</th>
                <th class="num">breakers</th>
                <th class="num">DLQ</th>
                <th>trend</th>
                <th class="num">alerts</th>
              </tr>
            </thead>
            <tbody>
              ${data.agents.map((a) => html`<${Row} key=${a.name} a=${a} />`)}
            </tbody>
          </table>`
    }
  `;
}
