import { resolve } from 'node:path';
import { runMesh } from '../support/mesh-cli';

// `mesh chaos sagas` and `mesh chaos broker-restart`: the signup saga's fault harness (packages/examples/src/signup/faults),
// loaded by the CLI as a harness module, kills a coordinator, a participant and Redis, or restarts the broker, for real
// and judges the effects ledger.

const HARNESS = resolve(__dirname, '../../packages/examples/dist/signup/faults/harness.js');

describe('mesh chaos sagas', () => {
  it('runs the saga fault harness and reports its ledger and verdict', async () => {
    const done = await runMesh(['chaos', 'sagas', '--harness', HARNESS, '--count', '12', '--seed', '2', '--json'], {}, 110_000);
    const report = JSON.parse(done.stdout) as { ledger: Record<string, number>; verdict: { pass: boolean; reason: string } };
    if (!report.verdict.pass) process.stderr.write(done.stderr);
    expect(report.verdict.reason).toMatch(/^seed 2: PASS {2}12 sagas:/);
    expect(report.ledger).toMatchObject({ published: 12, stuck: 0, lost: 0, duplicateEffects: 0 });
    expect(report.ledger.completed! + report.ledger.compensated!).toBe(12);
    expect(done.code).toBe(0);
  }, 120_000);

  it('restarts the broker under running sagas (broker-restart): every process reconnects, nothing lost, no effect twice', async () => {
    // Text mode: the run's progress (stderr) shows the fault happening; the ledger and verdict are on stdout.
    const done = await runMesh(['chaos', 'broker-restart', '--harness', HARNESS, '--count', '12', '--seed', '3'], {}, 110_000);
    if (done.code !== 0) process.stderr.write(done.stderr);
    expect(done.stderr).toMatch(/stop the broker, start it again \d+ ms later/);
    expect(done.stderr).toMatch(/\+\d+\.\d+ s {2}broker stopped\n/);
    expect(done.stderr).toMatch(/\+\d+\.\d+ s {2}broker started again after \d+ ms\n/);
    expect(done.stdout).toMatch(/^ledger: published 12, completed \d+, compensated \d+, stuck 0, lost 0, duplicateEffects 0,/m);
    expect(done.stdout).toMatch(/^PASS: seed 3: PASS {2}12 sagas:/m);
    expect(done.code).toBe(0);
  }, 120_000);

  it('needs --harness, and a module that is a harness: one line each', async () => {
    const missing = await runMesh(['chaos', 'sagas']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/^mesh: scenario sagas needs --harness <module>/);
    const notHarness = await runMesh(['chaos', 'sagas', '--harness', resolve(__dirname, 'fixtures/chaos-agent.js')]);
    expect(notHarness.code).toBe(1);
    expect(notHarness.stderr).toMatch(/is not a chaos harness/);
  }, 30_000);
});
