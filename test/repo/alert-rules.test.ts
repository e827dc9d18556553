import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ALERT_RULES, PROMETHEUS_ALERT_RULES } from '@agentmesh/runtime/internal';

// The Prometheus rules in infra/ are generated from the one definition of the mesh's alerts (ALERT_RULES in the
// runtime): this checks the shipped file against it (UPDATE_ALERT_RULES=1 rewrites it), and has Prometheus's own
// promtool check the rules and replay series through them. npm test's pretest installs promtool.

const RULES_FILE = join(__dirname, '../../infra/prometheus/mesh-alerts.yml');

function renderedRules(): string {
  const rules = PROMETHEUS_ALERT_RULES.map((r) => ({ alert: r.name, expr: r.expr, for: r.for, labels: { severity: r.severity }, annotations: { summary: r.summary } }));
  const header = '# Generated from ALERT_RULES (packages/runtime/src/observability/alert-rules.ts) by test/repo/alert-rules.test.ts\n# with UPDATE_ALERT_RULES=1. Do not edit by hand.\n';
  return header + stringify({ groups: [{ name: 'agentmesh', rules }] }, { lineWidth: 0 });
}

const promtool = spawnSync('promtool', ['--version']).status === 0;

describe('the mesh alert rules', () => {
  it('infra/prometheus/mesh-alerts.yml is ALERT_RULES, rendered', () => {
    if (process.env.UPDATE_ALERT_RULES === '1') writeFileSync(RULES_FILE, renderedRules());
    expect(readFileSync(RULES_FILE, 'utf8')).toBe(renderedRules());
  });

  it("give each rule's in-mesh threshold the same figure as its PromQL condition", () => {
    for (const rule of PROMETHEUS_ALERT_RULES) {
      const threshold = /> (?:2 \* )?([\d.]+)\s*$|> ([\d.]+)(?: and|$)/.exec(rule.expr);
      const figure = rule.fleet.measure === 'p99OverNormal' ? 2 : Number(threshold?.[1] ?? threshold?.[2]);
      expect({ rule: rule.name, above: rule.fleet.above }).toEqual({ rule: rule.name, above: figure });
    }
    expect(ALERT_RULES.filter((r) => r.expr === undefined).map((r) => r.fleet.measure)).toEqual(['lagSeconds', 'crashedInstances']);
  });

  it('pass promtool check rules, and the unclaimed-partitions and stuck-saga alerts fire on the series that mean them', () => {
    if (!promtool) throw new Error('promtool is missing: npm test installs it (test/support/test-tools.sh), or apt-get install prometheus');
    execFileSync('promtool', ['check', 'rules', RULES_FILE], { stdio: 'pipe' });
    const dir = mkdtempSync(join(tmpdir(), 'mesh-alerts-'));
    try {
      const tests = {
        rule_files: [RULES_FILE],
        evaluation_interval: '15s',
        tests: [
          {
            interval: '15s',
            input_series: [
              { series: 'mesh_saga_unclaimed_partitions{instance="coord-a"}', values: '0 0 3x8' },
              { series: 'mesh_saga_unclaimed_partitions{instance="coord-b"}', values: '0x10' },
              { series: 'mesh_sagas_stuck_total{saga="signup",status="compensation_failed"}', values: '0 0 1 1 1' },
              { series: 'mesh_breaker_state{agent="erp",breaker="erp-api"}', values: '2x10' },
              { series: 'mesh_breaker_state{agent="erp",breaker="ledger"}', values: '2x10' },
              { series: 'mesh_breaker_state{agent="ocr",breaker="vision"}', values: '2x10' },
            ],
            alert_rule_test: [
              // Three 15 s steps after the store went away: held for 30 s, so firing for coord-a only.
              {
                eval_time: '75s',
                alertname: 'MeshSagaPartitionsUnclaimed',
                exp_alerts: [
                  {
                    exp_labels: { severity: 'critical', instance: 'coord-a' },
                    exp_annotations: { summary: ALERT_RULES.find((r) => r.name === 'MeshSagaPartitionsUnclaimed')!.summary.replace('{{ $labels.instance }}', 'coord-a') },
                  },
                ],
              },
              { eval_time: '15s', alertname: 'MeshSagaPartitionsUnclaimed', exp_alerts: [] },
              {
                eval_time: '60s',
                alertname: 'MeshSagasStuck',
                exp_alerts: [{ exp_labels: { severity: 'critical', saga: 'signup' }, exp_annotations: { summary: 'Saga type signup: a saga stopped for an operator (mesh saga ls --state stuck)' } }],
              },
              // Two breakers open on erp: more than one; ocr's single open breaker is not.
              {
                eval_time: '90s',
                alertname: 'MeshAgentBreakersOpen',
                exp_alerts: [{ exp_labels: { severity: 'critical', agent: 'erp' }, exp_annotations: { summary: 'Agent erp: more than one circuit breaker open' } }],
              },
            ],
          },
        ],
      };
      const testFile = join(dir, 'mesh-alerts.test.yml');
      writeFileSync(testFile, stringify(tests, { lineWidth: 0 }));
      const run = spawnSync('promtool', ['test', 'rules', testFile], { encoding: 'utf8' });
      expect({ status: run.status, output: `${run.stdout}${run.stderr}` }).toMatchObject({ status: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
