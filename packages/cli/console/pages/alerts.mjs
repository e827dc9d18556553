// Alerts: pending and firing now, and the transitions the console has seen.
import { Badge, Banner, ErrorLine, enc, fmt, html, useApi } from '../lib.mjs';

export function AlertsPage() {
  const { data, error } = useApi('/api/alerts', 3000);
  if (!data)
    return html`<h1>Alerts</h1>
      <${ErrorLine} error=${error} />`;
  return html`
    <${Banner} connection=${data.connection} />
    <h1>Alerts</h1>
    <${ErrorLine} error=${error} />
    ${
      data.active.length === 0
        ? html`<p class="empty" data-testid="empty">no alerts pending or firing</p>`
        : html`<table class="grid" data-testid="alerts">
            <thead>
              <tr>
                <th>state</th>
                <th>severity</th>
                <th>alert</th>
                <th>subject</th>
                <th>summary</th>
                <th class="num">value</th>
                <th class="num">threshold</th>
                <th>since</th>
              </tr>
            </thead>
            <tbody>
              ${data.active.map(
                (a) =>
                  html`<tr class=${a.state === 'firing' ? 'row-bad' : 'row-warn'}>
                    <td><${Badge} kind=${a.state === 'firing' ? 'bad' : 'warn'}>${a.state}<//></td>
                    <td>${a.severity}</td>
                    <td>${a.alert}</td>
                    <td><a href="#/agents/${enc(a.subject)}">${a.subject}</a></td>
                    <td>${a.summary}</td>
                    <td class="num">${fmt.num(a.value, 3)}</td>
                    <td class="num">${fmt.num(a.threshold, 3)}</td>
                    <td>${fmt.ago(a.since)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <h2>Transitions seen by this console</h2>
    ${
      data.transitions.length === 0
        ? html`<p class="muted">none yet</p>`
        : html`<table class="grid">
            <thead>
              <tr>
                <th>at</th>
                <th>to</th>
                <th>alert</th>
                <th>subject</th>
              </tr>
            </thead>
            <tbody>
              ${data.transitions.map(
                (t) =>
                  html`<tr>
                    <td>${fmt.time(t.at)}</td>
                    <td><${Badge} kind=${t.state === 'FIRING' ? 'bad' : 'ok'}>${t.state}<//></td>
                    <td>${t.alert.alert}</td>
                    <td>${t.alert.subject}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
  `;
}
