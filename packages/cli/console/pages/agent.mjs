// One agent: its charts (lag, rates, latency), its figures, instances, alerts and anomalies.
import { Chart } from '../chart.mjs';
import { Badge, Banner, ErrorLine, enc, fmt, html, useApi } from '../lib.mjs';

function Figure({ label, value, testid }) {
  return html`<div class="figure" data-testid=${testid}>
    <div class="value">${value}</div>
    <div class="label">${label}</div>
  </div>`;
}

function Health({ health }) {
  return html`<div class="health" title="healthy share of each slice of the window, oldest first">
    ${health.history.map((share, i) => html`<span key=${i} class="cell ${share === null ? 'none' : share >= 0.95 ? 'ok' : share >= 0.7 ? 'warn' : 'bad'}">${share === null ? '·' : `${Math.round(share * 100)}%`}</span>`)}
  </div>`;
}

export function AgentPage({ param }) {
  const { data, error } = useApi(`/api/agents/${enc(param)}`, 3000);
  if (!data)
    return html`<h1>${param}</h1>
      <${ErrorLine} error=${error} />${error ? null : html`<p class="loading">loading…</p>`}`;
  const { agent, row, series, alerts } = data;
  return html`
    <${Banner} connection=${data.connection} />
    <${ErrorLine} error=${error} />
    <div class="title-row">
      <h1 data-testid="agent-name">${agent.name}</h1>
      <${Badge} kind=${row.status}>${row.status === 'ok' ? 'healthy' : row.status === 'warn' ? 'needs a look' : 'in trouble'}<//>
      <span class="muted">${agent.kind} · group ${agent.group} · versions ${agent.versions.join(', ') || '–'}</span>
      <span class="spacer"></span>
      ${agent.dlqSize > 0 ? html`<a class="button" href="#/dlq/${enc(agent.name)}">${agent.dlqSize} dead letters →</a>` : null}
    </div>
    <div class="figures">
      <${Figure} label="instances up" value=${`${agent.alive}/${agent.instances.length}`} />
      <${Figure} label="lag (records)" value=${agent.lag.records} testid="figure-lag" />
      <${Figure} label="lag age" value=${fmt.secs(agent.lag.seconds)} />
      <${Figure} label="processed/s" value=${fmt.num(agent.rates.processed)} />
      <${Figure} label="error rate" value=${fmt.pct(agent.errorRate)} />
      <${Figure} label="retries/min" value=${fmt.num(agent.retriesPerMinute)} />
      <${Figure} label="dead-lettered/s" value=${fmt.num(agent.rates.deadLettered, 2)} />
      <${Figure} label="p50 / p99" value=${`${fmt.ms(agent.p50Ms)} / ${fmt.ms(agent.p99Ms)}`} />
      <${Figure} label="usual p99" value=${fmt.ms(agent.normalP99Ms)} />
    </div>
    <div class="charts">
      <${Chart} testid="chart-lag" title="Lag (records)" times=${series.at} series=${[{ label: 'lag', values: series.lagRecords }]} />
      <${Chart}
        testid="chart-rates"
        title="Rates (per second)"
        times=${series.at}
        series=${[
          { label: 'processed', values: series.processed },
          { label: 'retried', values: series.retried },
          { label: 'dead-lettered', values: series.deadLettered },
        ]}
      />
      <${Chart} testid="chart-latency" title="p99 latency (ms)" times=${series.at} series=${[{ label: 'p99', values: series.p99Ms }]} />
    </div>
    <h2>
      Health trend:
      <${Badge} kind=${agent.health.trend === 'healthy' ? 'ok' : agent.health.trend === 'unknown' ? 'muted' : agent.health.trend === 'degrading' ? 'warn' : 'bad'}>${agent.health.trend}<//>
    </h2>
    <${Health} health=${agent.health} />
    <h2>Alerts</h2>
    ${
      alerts.length === 0
        ? html`<p class="muted">none</p>`
        : html`<ul class="list">
            ${alerts.map((a) => html`<li><${Badge} kind=${a.state === 'firing' ? 'bad' : 'warn'}>${a.state}<//> <b>${a.alert}</b> ${a.summary}</li>`)}
          </ul>`
    }
    <h2>Anomalies</h2>
    ${
      agent.anomalies.length === 0
        ? html`<p class="muted">none in the window</p>`
        : html`<table class="grid">
            <thead>
              <tr>
                <th>at</th>
                <th>metric</th>
                <th class="num">score</th>
                <th class="num">throughput</th>
                <th class="num">errors</th>
                <th class="num">p99</th>
                <th class="num">lag</th>
              </tr>
            </thead>
            <tbody>
              ${agent.anomalies.map(
                (a) =>
                  html`<tr>
                    <td>${fmt.time(a.at)}</td>
                    <td>${a.metric}</td>
                    <td class="num">${a.score.toFixed(2)}</td>
                    <td class="num">${fmt.num(a.window.throughput)}</td>
                    <td class="num">${fmt.pct(a.window.errorRate)}</td>
                    <td class="num">${fmt.ms(a.window.p99Ms)}</td>
                    <td class="num">${a.window.lag}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <h2>Instances</h2>
    <table class="grid" data-testid="instances">
      <thead>
        <tr>
          <th>instance</th>
          <th>host</th>
          <th>status</th>
          <th>liveness</th>
          <th>version</th>
          <th class="num">in flight</th>
          <th>breakers</th>
          <th class="num">restarts</th>
          <th>last seen</th>
        </tr>
      </thead>
      <tbody>
        ${agent.instances.map(
          (i) =>
            html`<tr class=${i.liveness === 'alive' ? '' : 'row-bad'}>
              <td>${i.instanceId}${i.unknownFields.length > 0 ? html` <${Badge} kind="warn" title=${`fields this console does not know: ${i.unknownFields.join(', ')}`}>newer contract<//>` : null}</td>
              <td>${i.host} (pid ${i.pid})</td>
              <td>${i.status}</td>
              <td>${i.liveness}${i.crashed ? ' (crashed)' : ''}</td>
              <td>${i.version ?? '–'}</td>
              <td class="num">${i.inFlight ?? '–'}</td>
              <td>${Object.entries(i.breakers).map(([n, s]) => html`<${Badge} kind=${s === 'closed' ? 'ok' : 'bad'}>${n}: ${s}<//> `)}</td>
              <td class="num">${i.restarts}</td>
              <td>${fmt.ago(i.lastSeenAt)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Partitions</h2>
    <table class="grid">
      <thead>
        <tr>
          <th>topic</th>
          <th class="num">partition</th>
          <th class="num">lag</th>
          <th class="num">lag age</th>
          <th>owner</th>
        </tr>
      </thead>
      <tbody>
        ${agent.lag.partitions.map(
          (p) =>
            html`<tr>
              <td>${p.topic}</td>
              <td class="num">${p.partition}</td>
              <td class="num">${p.lag}</td>
              <td class="num">${fmt.secs(p.lagSeconds)}</td>
              <td>${p.owner ?? '–'}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  `;
}
