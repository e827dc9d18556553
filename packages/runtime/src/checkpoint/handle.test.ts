import pino from 'pino';
import { classifyError } from '../failure/classify';
import { checkpointHandle } from './handle';
import { MemoryCheckpointStore } from './memory-checkpoint-store';
import { encodeCheckpointRecord, pickLatestValid, warnAboutSkippedVersions } from './record';
import type { CheckpointStore, LoadedCheckpoint } from './store';

function capture() {
  const lines: Array<Record<string, unknown> & { level: number; msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) });
  return { lines, logger };
}

describe('checkpointHandle', () => {
  it('lets a retry resume from the state the previous attempt saved', async () => {
    const { logger, lines } = capture();
    const store = new MemoryCheckpointStore(logger);
    const firstAttempt = checkpointHandle(store, 'summarizer', 'evt-1', logger);
    expect(await firstAttempt.load()).toBeUndefined();
    await firstAttempt.save({ step: 1, draft: 'intro' });
    await firstAttempt.save({ step: 2, draft: 'intro+body' });

    const retry = checkpointHandle(store, 'summarizer', 'evt-1', logger);
    expect(await retry.load<{ step: number; draft: string }>()).toEqual({ step: 2, draft: 'intro+body' });
    expect(lines.find((line) => line.msg === 'resuming from checkpoint')).toMatchObject({ checkpointVersion: 2 });
    expect(await checkpointHandle(store, 'summarizer', 'evt-2', logger).load()).toBeUndefined();
  });

  it('warns on the event logger when it falls back past a corrupted version', async () => {
    const { logger, lines } = capture();
    const eventLogger = logger.child({ eventId: 'evt-9', traceId: 't-1' });
    const good = encodeCheckpointRecord(1, '{"step":1}');
    const corrupted = encodeCheckpointRecord(2, '{"step":2}').replace('{\\"step\\":2}', '{\\"step\\":3}');
    // A store double whose storage holds a tampered newest version.
    const store: CheckpointStore = {
      kind: 'memory',
      async load(agent, eventId, log = logger): Promise<LoadedCheckpoint | undefined> {
        const pick = pickLatestValid([
          { version: 1, record: good },
          { version: 2, record: corrupted },
        ]);
        warnAboutSkippedVersions(log, agent, eventId, pick);
        return pick.latest;
      },
      loadMany: async () => new Map(),
      save: async () => 3,
      clear: async () => undefined,
      close: async () => undefined,
    };
    expect(await checkpointHandle(store, 'summarizer', 'evt-9', eventLogger).load()).toEqual({ step: 1 });
    const warning = lines.find((line) => line.level === 40);
    expect(warning).toMatchObject({ traceId: 't-1', resumedFromVersion: 1, skipped: [{ version: 2, reason: 'hash-mismatch' }] });
  });

  it('fails a save of unserializable state permanently (retrying cannot fix it)', async () => {
    const { logger } = capture();
    const handle = checkpointHandle(new MemoryCheckpointStore(logger), 'a', 'e', logger);
    const error = await handle.save({ big: 1n }).catch((e: unknown) => e);
    expect(classifyError(error)).toBe('permanent');
  });
});
