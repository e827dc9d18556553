import { eventsPerSecond, problemLines, PROBLEMS_SHOWN, refusalMessage, summaryLine } from './report';

describe('publish reports', () => {
  it('names each invalid line, then counts the rest', () => {
    expect(problemLines([{ line: 4, message: 'not valid JSON: x' }], 'events.jsonl')).toEqual(['mesh: events.jsonl line 4: not valid JSON: x']);
    const many = Array.from({ length: PROBLEMS_SHOWN + 3 }, (_, i) => ({ line: i + 1, message: 'bad' }));
    const lines = problemLines(many, 'stdin');
    expect(lines).toHaveLength(PROBLEMS_SHOWN + 1);
    expect(lines.at(-1)).toBe('mesh: ... and 3 more invalid lines');
  });

  it('says why nothing was published and how to publish the valid ones', () => {
    expect(refusalMessage(2, 5, 'events.jsonl')).toBe('2 of 5 events in events.jsonl are not valid; nothing was published (fix them, or pass --skip-invalid to publish the valid ones)');
  });

  it('sums up: count, topic, time, rate and skipped lines', () => {
    expect(summaryLine({ topic: 't', published: 5000, skipped: 0, elapsedMs: 2000 })).toBe('published 5000 events to t in 2.0 s (2500 events/s)');
    expect(summaryLine({ topic: 't', published: 1, skipped: 1, elapsedMs: 0 })).toBe('published 1 event to t in 0.0 s (0 events/s); skipped 1 invalid line');
    expect(eventsPerSecond(3, 1000)).toBe(3);
  });
});
