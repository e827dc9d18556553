import type { AgentContext, AgentEvent } from '@agentmesh/runtime';
import { commandHeaders } from '../protocol/messages';
import { CommandExpiredError, sagaParticipant } from './saga-participant';

type Data = { id: string; userId?: string | null };

function eventWith(kind: 'execute' | 'compensate', deadlineAt: number, value: Data = { id: 'a1' }): AgentEvent<Data> {
  return {
    topic: kind === 'execute' ? 'users.create' : 'users.delete',
    partition: 0,
    offset: '7',
    key: 's-1',
    value,
    headers: commandHeaders({ sagaId: 's-1', sagaType: 'signup', step: 'create-user', kind, attempt: 2, deadlineAt }),
    eventId: 'e-1',
    correlationId: 'c-1',
    attempt: 1,
    timestamp: 0,
  };
}

function ctx(): AgentContext {
  const controller = new AbortController();
  return {
    agent: 'users',
    eventId: 'e-1',
    attempt: 1,
    signal: controller.signal,
    logger: undefined as never,
    span: undefined as never,
    state: undefined as never,
    checkpoint: { load: async () => undefined, save: async () => undefined },
    breaker: () => ({ execute: (call) => call(controller.signal) }),
    step: async (_name, fn) => fn(controller.signal),
    encode: async (_topic, value) => Buffer.from(JSON.stringify(value)),
  };
}

describe('sagaParticipant', () => {
  const seen: string[] = [];
  const participant = sagaParticipant<Data>({
    name: 'users',
    on: {
      'users.create': async (cmd, c) => {
        seen.push(`create ${cmd.sagaId} #${cmd.attempt}`);
        if (cmd.data.id === 'slow') {
          await new Promise<void>((resolve) => c.signal.addEventListener('abort', () => resolve(), { once: true }));
          seen.push(`aborted: ${String(c.signal.reason)}`);
        }
        return { userId: `u-${cmd.data.id}` };
      },
      'users.delete': (cmd) => {
        seen.push(`delete ${cmd.sagaId}`);
      },
    },
  });

  beforeEach(() => (seen.length = 0));

  it('answers SUCCEEDED on saga.replies, keyed by saga id, with the data added to in the command topic encoding', async () => {
    const out = await participant.handle(eventWith('execute', Date.now() + 10_000), ctx());
    expect(out).toHaveLength(1);
    const reply = out![0]!;
    expect(reply).toMatchObject({
      topic: 'saga.replies',
      key: 's-1',
      value: { sagaId: 's-1', sagaType: 'signup', step: 'create-user', kind: 'EXECUTE', attempt: 2, outcome: 'SUCCEEDED', errorKind: null },
    });
    expect(JSON.parse(reply.value.data!.toString())).toEqual({ id: 'a1', userId: 'u-a1' });
  });

  it('does not start an execute command read after its deadline, and says TIMEOUT in its failure reply', async () => {
    await expect(participant.handle(eventWith('execute', Date.now() - 50), ctx())).rejects.toBeInstanceOf(CommandExpiredError);
    expect(seen).toEqual([]);
    const error = new CommandExpiredError(50);
    const replies = await participant.fallback!(eventWith('execute', Date.now() - 50), { kind: 'timeout', reason: 'exhausted', error });
    expect(replies[0]!.value).toMatchObject({ outcome: 'FAILED', errorKind: 'TIMEOUT' });
  });

  it('runs a compensation however late it is read', async () => {
    const out = await participant.handle(eventWith('compensate', Date.now() - 5_000), ctx());
    expect(seen).toEqual(['delete s-1']);
    expect(out![0]!.value).toMatchObject({ kind: 'COMPENSATE', outcome: 'SUCCEEDED', data: null });
  });

  it("aborts the handler's signal at the command's deadline", async () => {
    await participant.handle(eventWith('execute', Date.now() + 30, { id: 'slow' }), ctx());
    expect(seen[0]).toBe('create s-1 #2');
    expect(seen[1]).toMatch(/^aborted: TimeoutError/);
  });

  it('refuses a record without the saga headers (it goes to the DLQ, not to a reply)', async () => {
    const plain = { ...eventWith('execute', 0), headers: {} };
    await expect(participant.handle(plain, ctx())).rejects.toThrow(/lacks the mesh-saga-\* headers/);
    expect(() => participant.fallback!(plain, { kind: 'permanent', reason: 'permanent', error: new Error('x') })).toThrow(/lacks the mesh-saga-\* headers/);
  });
});
