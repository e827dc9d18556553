import type { ScenarioReport } from './run-scenario';
import { SCENARIOS } from './scenarios';

const seconds = (ms: number) => (ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} m` : `${ms / 1000} s`);

/** `mesh chaos ls`: each scenario, whether its fault is real or simulated, and its default duration. */
export function renderScenarioList(json: boolean): string {
  if (json) return `${JSON.stringify(SCENARIOS.map((s) => ({ name: s.name, reality: s.reality, summary: s.summary, defaultDurationMs: s.defaultDurationMs })))}\n`;
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  return SCENARIOS.map((s) => {
    const duration = s.fault && s.fault !== 'CRASH' ? `, default ${seconds(s.defaultDurationMs)}` : '';
    return `${s.name.padEnd(width)}  [${s.reality}${duration}] ${s.summary}${s.harness ? ` (${s.reality === 'harness only' ? '' : 'run: '}${s.harness})` : ''}\n`;
  }).join('');
}

/** The report of one run: the answers, the ledger, what the fault did, and the verdict line last. */
export function renderReport(r: ScenarioReport): string {
  const l = r.ledger;
  const lines = [`scenario ${r.scenario} against ${r.agent} (${r.reality})`];
  if (r.fault) lines.push(`command ${r.fault}: accepted by ${r.accepted} process(es), refused by ${r.refused.length}${r.refused[0] ? ` (${r.refused[0].reason})` : ''}`);
  lines.push(
    `ledger: published ${l.published}, processed ${l.processed}, degraded ${l.degraded}, dead-lettered ${l.deadLettered} (invalid-input ${l.invalidInput}), lost ${l.lost}, duplicate effects ${l.duplicateEffects}; peak lag ${r.peakLag}`,
  );
  const counters = Object.entries(r.counters);
  if (counters.length > 0) lines.push(`fault: ${counters.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (r.restarted !== undefined) lines.push(`killed process restarted: ${r.restarted ? 'yes' : 'no'}`);
  lines.push(`${r.verdict.pass ? 'PASS' : 'FAIL'}: ${r.verdict.reason}`);
  return `${lines.join('\n')}\n`;
}

/** The report of a harness run: its ledger and the verdict line. */
export function renderHarnessReport(r: { scenario: string; harness: string; ledger: Record<string, number>; verdict: { pass: boolean; reason: string } }): string {
  const ledger = Object.entries(r.ledger)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `scenario ${r.scenario} in harness ${r.harness}\nledger: ${ledger}\n${r.verdict.pass ? 'PASS' : 'FAIL'}: ${r.verdict.reason}\n`;
}
