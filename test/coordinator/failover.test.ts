import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { defineSaga, type SagaState, type SagaStepDefinition } from './imports';
import { newSagaState } from '../../packages/coordinator/src/saga/create';
import { transition } from '../../packages/coordinator/src/saga/transition';
import { eventually } from '../support/kafka';
import { allFinished, fileHarness, homePartitionOf, sagaIn, timelineTypes, delay, fail, Ledger, ledgerParticipant, names, REDIS_URL, SAGA_REPLY_PARTITIONS, steps, type Names } from './support';

// Two coordinator processes share the sagas; one is killed with -9 mid-saga. The other takes its
// partitions over, re-sends the commands it had in flight (same event ids, so the participants'
// idempotency store lets each take effect once) and finishes every saga.

const FIXTURE = resolve(__dirname, 'fixtures/coordinator-process.js');
const SESSION_TIMEOUT_MS = 3_000;

const children = new Set<ChildProcess>();
const h = fileHarness({
  beforeRelease: () => {
    for (const c of children) c.kill('SIGKILL');
  },
});

interface CoordinatorProcess {
  name: string;
  child: ChildProcess;
  /** The partitions it said it owns last. */
  owns(): number[];
  output(): string;
  exit: Promise<unknown>;
}

async function startProcess(n: Names, name: string, stepDefs: SagaStepDefinition[]): Promise<CoordinatorProcess> {
  const child = spawn(process.execPath, [FIXTURE], {
    env: {
      ...process.env,
      BROKERS: h.brokers.join(','),
      REDIS_URL,
      KEY_PREFIX: n.prefix,
      GROUP_ID: n.group,
      INSTANCE_ID: `${n.name}-${name}`,
      SAGA_NAME: n.name,
      SAGA_TRIGGER: n.trigger,
      SAGA_STEPS: JSON.stringify(stepDefs),
      SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      REPLY_PARTITIONS: String(SAGA_REPLY_PARTITIONS),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = once(child, 'exit');
  void exit.then(() => children.delete(child));
  const proc: CoordinatorProcess = {
    name,
    child,
    owns: () => {
      const lines = [...out.matchAll(/^owns (\[.*\])$/gm)];
      return lines.length === 0 ? [] : (JSON.parse(lines.at(-1)![1]!) as number[]);
    },
    output: () => `${name} stdout:\n${out}\n${name} stderr:\n${err.slice(-3000)}`,
    exit,
  };
  await eventually(
    () => (out.includes('joined\n') ? true : child.exitCode !== null ? Promise.reject(new Error(`coordinator ${name} exited: ${err}`)) : undefined),
    `coordinator ${name} to join`,
    30_000,
  );
  return proc;
}

/** Two coordinator processes of one group, both owning partitions, and the in-process participants. */
async function twoInstances(n: Names, stepDefs: SagaStepDefinition[]) {
  const [a, b] = await Promise.all([startProcess(n, 'A', stepDefs), startProcess(n, 'B', stepDefs)]);
  await eventually(
    () => {
      const [pa, pb] = [a.owns(), b.owns()];
      return pa.length > 0 && pb.length > 0 && new Set([...pa, ...pb]).size === SAGA_REPLY_PARTITIONS && pa.length + pb.length === SAGA_REPLY_PARTITIONS ? true : undefined;
    },
    'both instances to own partitions of saga.replies',
    30_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${a.output()}\n${b.output()}`);
  });
  return { a, b };
}

/** Kills (-9) whichever instance owns most of the sagas `midFlight` picks out, once at least `atLeast` are. */
async function killMidFlight(
  store: { loadMany(ids: readonly string[]): Promise<(SagaState | undefined)[]> },
  ids: string[],
  instances: CoordinatorProcess[],
  midFlight: (s: SagaState) => boolean,
  atLeast: number,
) {
  const inFlight = await eventually(
    async () => {
      const states = (await store.loadMany(ids)).filter((s): s is SagaState => s !== undefined && midFlight(s));
      return states.length >= atLeast ? states : undefined;
    },
    `${atLeast} sagas mid-flight`,
    20_000,
    20,
  );
  const onVictim = (p: CoordinatorProcess) => inFlight.filter((s) => p.owns().includes(s.homePartition));
  const [victim, survivor] = onVictim(instances[0]!).length >= onVictim(instances[1]!).length ? [instances[0]!, instances[1]!] : [instances[1]!, instances[0]!];
  const orphaned = onVictim(victim);
  victim.child.kill('SIGKILL');
  await victim.exit;
  return { victim, survivor, orphaned, victimPartitions: victim.owns() };
}

/** Every handler call of every saga, for the failure message. */
const describeLedger = (ledger: Ledger, ids: string[]) => ids.map((id) => `${id}: ${ledger.calls(id).join(' ')}`).join('\n');

describe('kill -9 of a coordinator mid-saga, with a second instance running', () => {
  it('the other instance finishes every saga, each step taking effect once', async () => {
    const n = names('failover');
    const stepDefs = steps(n, ['a', 'b', 'c'], {}, { timeoutMs: 30_000 });
    const ledger = new Ledger();
    await h.worker(ledgerParticipant(n.agent, { steps: stepDefs }, ledger, async (cmd) => (cmd.step === 'b' ? delay(1_500) : undefined)));
    const store = h.store(n.prefix);
    const { a, b } = await twoInstances(n, stepDefs);

    const ids = Array.from({ length: 20 }, (_, i) => `${n.name}-${i}`);
    await h.trigger(
      n.trigger,
      ids.map((id) => ({ id })),
    );
    // Mid-flight: step a done, b under way (b takes 1.5 s).
    const { survivor, orphaned, victimPartitions } = await killMidFlight(store, ids, [a, b], (s) => s.status === 'running' && s.inFlight?.step === 1, 10);
    expect(orphaned.length).toBeGreaterThan(0);

    const states = await allFinished(store, ids, 40_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${survivor.output()}\n${describeLedger(ledger, ids)}`);
    });
    expect(states.map((s) => s.status)).toEqual(ids.map(() => 'completed'));
    // The survivor took over the victim's partitions.
    expect(survivor.owns()).toEqual(Array.from({ length: SAGA_REPLY_PARTITIONS }, (_, p) => p));
    expect(victimPartitions.length).toBeGreaterThan(0);
    // Every step executed exactly once per saga, re-sent commands notwithstanding.
    for (const id of ids) expect([id, ledger.calls(id)]).toEqual([id, ['a', 'b', 'c']]);
    // The orphaned sagas' in-flight command was sent again by the survivor, with the same event id.
    const stepOf = (s: SagaState) => s.timeline.filter((e) => e.type === 'STEP_STARTED').map((e) => `${e.step}#${e.attempt}`);
    for (const s of states) expect(stepOf(s)).toEqual(['a#1', 'b#1', 'c#1']);
    expect(survivor.child.exitCode).toBeNull();
  });

  it('compensations under way finish on the other instance, each once', async () => {
    const n = names('failover-undo');
    const stepDefs = steps(n, ['a', 'b', 'c'], { c: { retry: { maxAttempts: 1 } } }, { timeoutMs: 30_000 });
    const ledger = new Ledger();
    await h.worker(
      ledgerParticipant(n.agent, { steps: stepDefs }, ledger, async (cmd) => {
        if (cmd.step === 'c') fail.permanent('the last step fails for every saga');
        if (cmd.step === 'b' && cmd.kind === 'compensate') await delay(1_500);
      }),
    );
    const store = h.store(n.prefix);
    const { a, b } = await twoInstances(n, stepDefs);

    const ids = Array.from({ length: 20 }, (_, i) => `${n.name}-${i}`);
    await h.trigger(
      n.trigger,
      ids.map((id) => ({ id })),
    );
    // Mid-compensation: b's compensation (1.5 s) under way.
    const { survivor, orphaned } = await killMidFlight(store, ids, [a, b], (s) => s.status === 'compensating' && s.inFlight?.step === 1, 10);
    expect(orphaned.length).toBeGreaterThan(0);

    const states = await allFinished(store, ids, 40_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${survivor.output()}\n${describeLedger(ledger, ids)}`);
    });
    expect(states.map((s) => s.status)).toEqual(ids.map(() => 'compensated'));
    for (const id of ids) expect([id, ledger.calls(id)]).toEqual([id, ['a', 'b', 'c!', 'b-undo', 'a-undo']]);
    const compensationsOf = (s: SagaState) => s.timeline.filter((e) => e.type === 'COMPENSATION_STARTED').map((e) => `${e.step}#${e.attempt}`);
    for (const s of states) expect(compensationsOf(s)).toEqual(['b#1', 'a#1']);
  });
});

describe('taking over a partition', () => {
  it('sends the command a dead owner saved but never sent (same event id), long before its deadline', async () => {
    const n = names('recover');
    const saga = defineSaga({ name: n.name, trigger: n.trigger, steps: steps(n, ['a', 'b'], {}, { timeoutMs: 30_000 }) });
    const ledger = new Ledger();
    await h.worker(ledgerParticipant(n.agent, saga, ledger));
    const store = h.store(n.prefix);
    // The dead owner's last act: it wrote "a#1 in flight" under its fence, then died before sending a#1.
    const id = `${n.name}-1`;
    const homePartition = homePartitionOf(id, SAGA_REPLY_PARTITIONS);
    const now = Date.now();
    const created = newSagaState(saga, {
      id,
      homePartition,
      now,
      trigger: { topic: n.trigger, partition: 0, offset: '0', eventId: `trigger-${id}` },
      correlationId: id,
      data: { topic: n.t('a'), bytes: Buffer.from(JSON.stringify({ id })).toString('base64') },
    });
    expect(await store.create(created)).toBe(true);
    const moved = transition(saga, created, { type: 'tick' }, { now, random: 0.5 });
    expect(moved.state.inFlight).toMatchObject({ step: 0, kind: 'execute', attempt: 1 });
    expect(await store.save(created, moved.state, await store.claimPartition(homePartition))).toBe('ok');

    const started = Date.now();
    await h.coordinator({ sagas: [saga], store, groupId: n.group });
    const done = await sagaIn(store, id, ['completed', 'compensated', 'compensation_failed', 'forward_failed'], 15_000);
    expect(done.status).toBe('completed');
    expect(Date.now() - started).toBeLessThan(15_000); // not by a deadline (30 s): by the re-send on takeover
    expect(ledger.calls(id)).toEqual(['a', 'b']);
    expect(ledger.entries.find((e) => e.sagaId === id && e.step === 'a')!.eventId).toBe(moved.state.inFlight!.eventId);
    expect(timelineTypes(done)).not.toContain('STEP_TIMED_OUT');
  });
});
