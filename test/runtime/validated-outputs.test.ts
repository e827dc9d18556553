import { defineAgent, dlqTopic, readFailureEnvelope, type AgentEvent, type OutputEvent } from '@agentmesh/runtime';
import { PrometheusWorkerMetrics } from '../../packages/runtime/src/observability/prometheus-metrics';
import { uniqueName } from '../support/kafka';
import { json, runtimeHarness, valueOf, type RuntimeHarness } from './support';

// Validated outputs with a fallback chain, through a real worker: the handler's answer fails the agent's check,
// the next alternative answers instead; when every candidate fails, the event goes to the DLQ as invalid-output
// with each candidate's answer in its failure history; metrics count each candidate by who made it.

let h: RuntimeHarness;
beforeAll(async () => {
  h = await runtimeHarness();
});
afterAll(async () => {
  await h.close();
});

type Ticket = { id: string };
type Triage = { id: string; label: string };
const LABELS = new Set(['bug', 'question']);

describe('an agent with declared output checks and alternatives', () => {
  it('sends the first valid candidate, and dead-letters as invalid-output with every candidate when none is', async () => {
    const name = uniqueName('triage');
    const [input, output] = [`in-${name}`, `out-${name}`];
    const answer = (e: AgentEvent<Ticket>, label: string): OutputEvent<Triage>[] => [{ topic: output, key: e.value.id, value: { id: e.value.id, label } }];
    const agent = defineAgent<Ticket, Triage>({
      name,
      consumes: [input],
      produces: [output],
      // The "model" answers with a label outside the allowed set: retrying it would answer the same.
      handle: (e) => answer(e, 'spam'),
      outputs: {
        validate: (outputs) => (outputs.every((o) => LABELS.has(o.value.label)) ? true : `label must be one of ${[...LABELS].join(', ')}`),
        alternatives: [
          { name: 'backup-model', handle: (e) => answer(e, e.value.id === 'hopeless' ? 'maybe' : 'bug') },
          { name: 'rules', handle: (e) => answer(e, e.value.id === 'hopeless' ? 'unknown' : 'question') },
        ],
      },
    });
    const metrics = new PrometheusWorkerMetrics();
    await h.start(agent, { metrics });
    const seen = await h.watch([output, dlqTopic(name)]);
    const producer = h.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: input,
      messages: [
        { key: 'fine', value: json({ id: 'fine' }) },
        { key: 'hopeless', value: json({ id: 'hopeless' }) },
      ],
    });
    await producer.disconnect();
    const all = await seen.until((s) => s.length >= 2, 'an output and a dead letter');

    const outputs = all.filter((s) => s.topic === output).map((s) => valueOf<Triage>(s));
    expect(outputs).toEqual([{ id: 'fine', label: 'bug' }]);
    const dead = all.find((s) => s.topic === dlqTopic(name))!;
    expect(dead.key).toBe('hopeless');
    expect(dead.headers['mesh-error-kind']).toBe('invalid-output');
    const envelope = readFailureEnvelope(dead.headers)!;
    expect(envelope.history.map((r) => [r.by, r.kind, r.message, r.output && (JSON.parse(r.output) as unknown)])).toEqual([
      ['handler', 'invalid-output', 'label must be one of bug, question', [{ topic: output, key: 'hopeless', value: { id: 'hopeless', label: 'spam' } }]],
      ['backup-model', 'invalid-output', 'label must be one of bug, question', [{ topic: output, key: 'hopeless', value: { id: 'hopeless', label: 'maybe' } }]],
      ['rules', 'invalid-output', 'label must be one of bug, question', [{ topic: output, key: 'hopeless', value: { id: 'hopeless', label: 'unknown' } }]],
      [undefined, 'invalid-output', expect.stringMatching(/^no valid output: handler: label must be/) as string, undefined],
    ]);

    const text = await metrics.registry.metrics();
    const count = (by: string, result: string) => Number(new RegExp(`^mesh_output_attempts_total\\{agent="${name}",by="${by}",result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    expect({
      handlerInvalid: count('handler', 'invalid'),
      backupValid: count('backup-model', 'valid'),
      backupInvalid: count('backup-model', 'invalid'),
      rulesInvalid: count('rules', 'invalid'),
    }).toEqual({
      handlerInvalid: 2,
      backupValid: 1,
      backupInvalid: 1,
      rulesInvalid: 1,
    });
  });
});
