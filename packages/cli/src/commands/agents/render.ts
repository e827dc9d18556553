import type { ActiveAlert, FleetAgent } from '../../fleet';
import { formatFigure } from '../../fleet';
import { renderTable } from '../dlq/summary';
import { ms, rate, seconds } from '../status/render';

function ago(at: number, now: number): string {
  return `${seconds(Math.max(0, (now - at) / 1000))} ago`;
}

/** `mesh agents show <name>`: the agent's figures, its instances, its partitions, its recent anomalies and its alerts. */
export function renderAgent(agent: FleetAgent, alerts: readonly ActiveAlert[], now: number): string {
  const lines: string[] = [];
  lines.push(`${agent.kind} ${agent.name} (group ${agent.group}${agent.versions.length > 0 ? `, version ${agent.versions.join(', ')}` : ''})`);
  lines.push(
    `health ${agent.health.trend}${agent.health.healthyShare === null ? '' : ` (${Math.round(agent.health.healthyShare * 100)}% of ${agent.health.checks} checks healthy; by slice: ${agent.health.history.map((h) => (h === null ? '-' : `${Math.round(h * 100)}%`)).join(' ')})`}`,
  );
  lines.push(
    `lag ${agent.lag.records} records, oldest ${seconds(agent.lag.seconds)}; per second: ${rate(agent.rates.processed)} processed, ${rate(agent.rates.retried)} retried, ${rate(agent.rates.deadLettered)} dead-lettered, ${rate(agent.rates.degraded)} degraded; errors ${(agent.errorRate * 100).toFixed(1)}%; p50 ${ms(agent.p50Ms)} ms, p99 ${ms(agent.p99Ms)} ms (usual ${ms(agent.normalP99Ms)}); DLQ ${agent.dlqSize}`,
  );
  lines.push('', 'INSTANCES');
  lines.push(
    renderTable(
      ['INSTANCE', 'HOST', 'PID', 'STATUS', 'LIVENESS', 'PARTS', 'IN-FLIGHT', 'P50', 'P99', 'BREAKERS', 'RESTARTS', 'ROLE', 'LAST SEEN'],
      agent.instances.map((i) => [
        i.instanceId,
        i.host,
        String(i.pid),
        i.status,
        i.crashed ? `${i.liveness} (crashed)` : i.liveness,
        String(i.partitions.length),
        i.inFlight === null ? '-' : String(i.inFlight),
        ms(i.p50Ms),
        ms(i.p99Ms),
        Object.entries(i.breakers)
          .map(([b, s]) => `${b}:${s}`)
          .join(',') || '-',
        String(i.restarts),
        i.role === null ? '-' : `${i.role}${i.fencingToken === null ? '' : `@${i.fencingToken}`}`,
        ago(i.lastSeenAt, now),
      ]),
    ).trimEnd(),
  );
  const newer = agent.instances.filter((i) => i.unknownFields.length > 0);
  for (const i of newer) lines.push(`note: ${i.instanceId} speaks a newer heartbeat contract (fields not shown: ${i.unknownFields.join(', ')})`);
  lines.push('', 'PARTITIONS');
  lines.push(
    agent.lag.partitions.length === 0
      ? '(none read)'
      : renderTable(
          ['TOPIC', 'PARTITION', 'LAG', 'LAG AGE', 'OWNER'],
          agent.lag.partitions.map((p) => [p.topic, String(p.partition), String(p.lag), seconds(p.lagSeconds), p.owner ?? '-']),
        ).trimEnd(),
  );
  lines.push('', 'RECENT ANOMALIES');
  if (agent.anomalies.length === 0) lines.push('(none)');
  for (const a of agent.anomalies)
    lines.push(
      `${new Date(a.at).toISOString()}  score ${a.score.toFixed(2)}  ${a.metric} stands out: throughput ${rate(a.window.throughput)}/s, errors ${(a.window.errorRate * 100).toFixed(1)}%, p99 ${ms(a.window.p99Ms)} ms, lag ${a.window.lag}, retries ${rate(a.window.retries)}/s`,
    );
  lines.push('', 'ALERTS');
  if (alerts.length === 0) lines.push('(none)');
  for (const a of alerts) lines.push(`${a.state.toUpperCase()}  ${a.severity}  ${a.alert}  ${a.summary} (${formatFigure(a.value)} > ${a.threshold})`);
  return lines.join('\n') + '\n';
}
