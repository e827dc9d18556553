import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { JsonCodec, RegistryCodec, type EventCodec } from '@agentmesh/runtime';
import { CONTROL_TOPIC, CONTROL_TOPIC_SPEC, type ControlRecord } from '@agentmesh/runtime/internal';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { buildLedger, type Ledger, type SeenRecord } from './ledger';
import type { Scenario } from './scenarios';
import { judge, type Observations, type Verdict } from './verdict';
import { endOffsets, TopicWatcher, type WatchedRecord } from './watch';
import { registryCredentials } from '../../connection/settings';

export interface ScenarioRunOptions {
  scenario: Scenario;
  agent: string;
  topic: string;
  /** A value of the topic's contract, published --count times (each with fresh ids). */
  value: unknown;
  count: number;
  durationMs: number;
  /** dependency-delay: how long each call waits. */
  delayMs: number;
  /** How long to wait for the agents' answers to a command. */
  answerWaitMs: number;
  /** How long, after the fault, the events may take to be accounted for. */
  settleTimeoutMs: number;
  kafka: Kafka;
  admin: Admin;
  /** Undefined: values are JSON. */
  registryUrl: string | undefined;
  progress: (line: string) => void;
}

export interface ScenarioReport {
  scenario: string;
  agent: string;
  reality: Scenario['reality'];
  fault: string | null;
  accepted: number;
  refused: Observations['refused'];
  counters: Record<string, number>;
  ledger: Ledger;
  /** The most the agent's group was behind on the topic while the scenario ran. */
  peakLag: number;
  restarted?: boolean;
  verdict: Verdict;
}

/** Topics whose records may be an outcome of the run: everything but the broker's and the mesh's own bookkeeping. */
function outcomeTopics(all: readonly string[]): string[] {
  return all.filter((t) => !t.startsWith('_') && !t.startsWith('mesh.') && !t.startsWith('saga.'));
}

/** Bytes no codec decodes: no Avro frame (magic byte 0), not JSON. */
const CORRUPT_VALUE = Buffer.from([0x01, 0x63, 0x68, 0x61, 0x6f, 0x73]);

/** Runs one scenario against the running mesh and judges it. */
export async function runScenario(options: ScenarioRunOptions): Promise<ScenarioReport> {
  const { scenario, agent, kafka, admin, progress } = options;
  const codec: EventCodec = options.registryUrl ? new RegistryCodec({ ...registryCredentials(), url: options.registryUrl }) : new JsonCodec();
  await admin.createTopics({ topics: [CONTROL_TOPIC_SPEC] });
  const topics = await admin.listTopics();
  const watched = [...outcomeTopics(topics), CONTROL_TOPIC];

  const answers: ControlRecord[] = [];
  const seen: SeenRecord[] = [];
  const pendingDecodes: Promise<void>[] = [];
  const watcher = new TopicWatcher(kafka, (r: WatchedRecord) => {
    if (r.topic !== CONTROL_TOPIC) {
      seen.push({ topic: r.topic, timestamp: r.timestamp, headers: r.headers });
      return;
    }
    pendingDecodes.push(
      codec.decode(CONTROL_TOPIC, r.value).then(
        (v) => void answers.push(v as ControlRecord),
        () => undefined,
      ),
    );
  });
  await watcher.start(await endOffsets(admin, watched));
  const producer = kafka.producer();
  await producer.connect();
  let peakLag = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakLag = Math.max(peakLag, await groupLag(admin, agent, options.topic).catch(() => 0));
      await sleep(500);
    }
  })();

  try {
    const send = (command: Partial<ControlRecord> & Pick<ControlRecord, 'fault'>) => sendCommand(producer, codec, { agent, ...command });
    const answersTo = async (commandId: string) => {
      await Promise.all(pendingDecodes);
      return answers.filter((a) => a.commandId === commandId && a.kind !== 'COMMAND');
    };

    // Who is there: every process of the agent answers a PING (ACCEPTED, or REFUSED without chaos).
    let before = new Set<string>();
    let target: string | null = null;
    let probed: ControlRecord[] = [];
    if (scenario.fault === 'CRASH') {
      const probe = await send({ fault: 'PING' });
      await waitFor(async () => (await answersTo(probe)).length > 0, options.answerWaitMs);
      await sleep(Math.min(1_000, options.answerWaitMs));
      probed = await answersTo(probe);
      const present = probed.filter((a) => a.kind === 'ACCEPTED').map((a) => a.instanceId ?? '');
      before = new Set(present);
      target = present.length > 0 ? present[Math.floor(Math.random() * present.length)]! : null;
    }

    let commandId: string | undefined;
    if (scenario.fault !== undefined && (scenario.fault !== 'CRASH' || target !== null)) {
      commandId = await send({ fault: scenario.fault, instanceId: target, target: scenario.target ?? null, durationMs: options.durationMs, delayMs: scenario.fault === 'DELAY' ? options.delayMs : 0 });
      const id = commandId;
      // The events go out as soon as one process answers: the fault's time runs from its acceptance.
      await waitFor(async () => (await answersTo(id)).length > 0, options.answerWaitMs);
    }

    // No process of the agent answered at all: nothing to publish into, the verdict says so.
    const answered = scenario.fault === undefined || (commandId ? await answersTo(commandId) : probed).length > 0;
    // The events, with ids of this run so the ledger finds them.
    const run = randomBytes(4).toString('hex');
    const published = new Set<string>();
    const valid = answered ? options.count * scenario.loadFactor : 0;
    const corrupt = answered && scenario.corrupt ? Math.max(1, Math.floor(options.count / 5)) : 0;
    const encoded = await codec.encode(options.topic, options.value);
    const messages = [];
    for (let i = 0; i < valid + corrupt; i++) {
      const id = `chaos-${run}-${i}`;
      published.add(id);
      const bad = i >= valid;
      messages.push({ key: `${run}-${i}`, value: bad ? CORRUPT_VALUE : encoded, headers: { 'mesh-event-id': id, 'mesh-correlation-id': id } });
    }
    if (messages.length > 0) await producer.send({ topic: options.topic, messages });
    progress(`published ${valid} events${corrupt ? ` and ${corrupt} corrupted records` : ''} to ${options.topic}`);

    await sleep(Math.min(1_000, options.answerWaitMs)); // the other processes' answers
    const accepted = commandId ? (await answersTo(commandId)).filter((a) => a.kind === 'ACCEPTED') : [];
    // No process to crash: the probe's refusals say why.
    const refusals = commandId ? await answersTo(commandId) : probed;
    const refused = refusals.filter((a) => a.kind === 'REFUSED').map((a) => ({ instanceId: a.instanceId ?? '', reason: a.reason ?? '' }));
    if (commandId) progress(`command ${scenario.fault} sent: ${accepted.length} process(es) accepted, ${refused.length} refused`);

    // The fault runs its course: each accepting process says ENDED.
    if (commandId && scenario.fault !== 'CRASH') {
      const id = commandId;
      const wait = options.durationMs + (scenario.fault === 'DELAY' ? options.delayMs : 0) + options.answerWaitMs + 5_000;
      await waitFor(async () => (await answersTo(id)).filter((a) => a.kind === 'ENDED').length >= accepted.length, wait);
    }
    let restarted: boolean | undefined;
    const settleBy = Date.now() + options.settleTimeoutMs;
    if (scenario.fault === 'CRASH' && accepted.length > 0) {
      restarted = await waitFor(async () => {
        const probe = await send({ fault: 'PING' });
        await sleep(1_000);
        return (await answersTo(probe)).some((a) => a.kind === 'ACCEPTED' && !before.has(a.instanceId ?? ''));
      }, options.settleTimeoutMs);
    }
    // Then the events are accounted for, or the bound passes.
    await waitFor(async () => buildLedger(agent, published, seen).lost === 0, Math.max(0, settleBy - Date.now()));
    await sleep(500); // stragglers: a duplicate right behind the first copy
    const counters: Record<string, number> = {};
    if (commandId) for (const a of await answersTo(commandId)) if (a.kind === 'ENDED') for (const [k, v] of Object.entries(a.counters)) counters[k] = (counters[k] ?? 0) + Number(v);
    const ledger = buildLedger(agent, published, seen);
    const observations: Observations = { accepted: accepted.length, refused, counters, corruptPublished: corrupt, ...(restarted !== undefined ? { restarted } : {}) };
    return {
      scenario: scenario.name,
      agent,
      reality: scenario.reality,
      fault: scenario.fault ?? null,
      accepted: accepted.length,
      refused,
      counters,
      ledger,
      peakLag,
      ...(restarted !== undefined ? { restarted } : {}),
      verdict: judge(scenario, ledger, observations),
    };
  } finally {
    sampling = false;
    await sampler;
    await producer.disconnect();
    await watcher.stop();
  }
}

async function sendCommand(producer: Producer, codec: EventCodec, fields: Partial<ControlRecord> & Pick<ControlRecord, 'fault' | 'agent'>): Promise<string> {
  const command: ControlRecord = { kind: 'COMMAND', commandId: randomUUID(), instanceId: null, target: null, durationMs: 0, delayMs: 0, sentAt: Date.now(), reason: null, counters: {}, ...fields };
  await producer.send({ topic: CONTROL_TOPIC, messages: [{ key: command.commandId, value: await codec.encode(CONTROL_TOPIC, command) }] });
  return command.commandId;
}

/** Polls `check` every 250 ms until it holds or `timeoutMs` passes; whether it held. */
async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= until) return false;
    await sleep(250);
  }
}

/** How far the agent's group is behind on `topic`, over its partitions. */
async function groupLag(admin: Admin, group: string, topic: string): Promise<number> {
  const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  let lag = 0n;
  for (const p of committed?.partitions ?? []) {
    const end = ends.get(p.partition) ?? 0n;
    const at = p.offset === '-1' ? 0n : BigInt(p.offset);
    if (end > at) lag += end - at;
  }
  return Number(lag);
}
