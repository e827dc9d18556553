import pino from 'pino';
import { classifyError } from '../failure/classify';
import { AgentStateVersionError } from './errors';
import { agentStateHandle } from './handle';
import { MemoryAgentStateStore } from './memory-store';
import type { StateRecord } from './record';

function capture() {
  const lines: Array<Record<string, unknown> & { level: number; msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) });
  return { lines, logger };
}

describe('agentStateHandle (ctx.state)', () => {
  it('keeps state across events of the agent, per key', async () => {
    const { logger } = capture();
    const store = new MemoryAgentStateStore(logger);
    const first = agentStateHandle(store, 'planner', logger);
    expect(await first.load('memory')).toBeUndefined();
    expect(await first.save('memory', { facts: ['a'] })).toBe(1);

    const later = agentStateHandle(store, 'planner', logger);
    expect(await later.load<{ facts: string[] }>('memory')).toEqual({ facts: ['a'] });
    expect(await later.save('memory', { facts: ['a', 'b'] })).toBe(2);
    expect(await later.read('memory', 1)).toMatchObject({ state: { facts: ['a'] }, version: 1 });
    expect(await later.keys()).toEqual(['memory']);
    expect(await agentStateHandle(store, 'other-agent', logger).load('memory')).toBeUndefined();
  });

  it('warns on the event logger when it falls back past a corrupt version, and restores', async () => {
    const { logger, lines } = capture();
    const store = new MemoryAgentStateStore(logger);
    const handle = agentStateHandle(store, 'planner', logger.child({ eventId: 'evt-7' }));
    await handle.save('k', 1);
    await handle.save('k', 2);
    const records = store.storage.records('planner', 'k')!;
    const bad = JSON.parse(records.get(2)!) as StateRecord;
    records.set(2, JSON.stringify({ ...bad, state: '3' }));

    expect(await handle.load('k')).toBe(1);
    expect(await handle.read('k')).toMatchObject({ version: 1, skipped: [{ version: 2, reason: 'hash-mismatch' }] });
    expect(lines.find((l) => l.level === 40)).toMatchObject({ eventId: 'evt-7', loadedVersion: 1 });
    expect((await handle.versions('k')).map((v) => v.intact)).toEqual([false, true]);

    const error = await handle.read('k', 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentStateVersionError);
    expect(classifyError(error)).toBe('permanent');
    expect(await handle.restore('k', 1)).toBe(3);
    expect(await handle.read('k')).toMatchObject({ state: 1, version: 3, skipped: [] });
  });
});
