import { childWithNewFields, createLogger, eventLogFields, redactSecrets, redactUrl } from './logger';

function capture(level?: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ name: 'test', level, destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { logger, lines };
}

describe('redactUrl', () => {
  it.each([
    ['redis://user:pass@host:6379', 'redis://user:***@host:6379'],
    ['rediss://:pass@host:6380/2', 'rediss://:***@host:6380/2'],
    ['redis://user:p@ss@host', 'redis://user:***@host'],
    ['redis://a:x@h1:1,redis://b:y@h2:2', 'redis://a:***@h1:1,redis://b:***@h2:2'],
    ['connecting to redis://u:secret@h now', 'connecting to redis://u:***@h now'],
  ])('hides the password of %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each(['redis://host:6379/0', 'redis://user@host', 'http://example.com/a?b=c', '127.0.0.1:9092', ''])('leaves %p unchanged', (url) => {
    expect(redactUrl(url)).toBe(url);
  });
});

describe('eventLogFields', () => {
  const base = { topic: 't', partition: 0, offset: '5', eventId: 'e' };

  it('takes the trace id from traceparent and the correlation id from the event or its headers', () => {
    expect(eventLogFields({ ...base, headers: { 'mesh-correlation-id': 'c', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } })).toEqual({
      ...base,
      correlationId: 'c',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
  });

  it('omits what the event does not have, including a malformed or all-zero traceparent', () => {
    expect(eventLogFields(base)).toEqual(base);
    expect(eventLogFields({ ...base, headers: { traceparent: 'garbage' } })).toEqual(base);
    expect(eventLogFields({ ...base, headers: { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' } })).toEqual(base);
  });
});

describe('redactSecrets', () => {
  it('returns the very object when it holds no secret', () => {
    const object = { sagaId: 's', nested: { port: 1 } };
    expect(redactSecrets(object, 3)).toBe(object);
  });
});

describe('createLogger', () => {
  it('redacts secrets two objects down but leaves other fields alone', () => {
    const { logger, lines } = capture();
    logger.info({ config: { redis: { password: 'p1', url: 'redis://u:p2@h' }, brokers: ['b:9092'] }, attempt: 2 });
    expect(lines[0]).toMatchObject({ config: { redis: { password: '[Redacted]', url: 'redis://u:***@h' }, brokers: ['b:9092'] }, attempt: 2 });
  });

  it('redacts secrets at the top, in child bindings and in headers, and not three objects down', () => {
    const { logger, lines } = capture();
    logger.child({ token: 't0' }).info({ apiKey: 'k', request: { headers: { authorization: 'Bearer x', Authorization: 'Bearer y' } }, a: { b: { c: { password: 'deep' } } } });
    expect(lines[0]).toMatchObject({
      token: '[Redacted]',
      apiKey: '[Redacted]',
      request: { headers: { authorization: '[Redacted]', Authorization: '[Redacted]' } },
      a: { b: { c: { password: 'deep' } } },
    });
  });

  it('leaves the logged object itself untouched', () => {
    const { logger, lines } = capture();
    const logged = { config: { password: 'p', port: 1 }, list: [{ password: 'in an array: not covered' }] };
    logger.info(logged);
    expect(logged.config.password).toBe('p');
    expect(lines[0]).toMatchObject({ config: { password: '[Redacted]', port: 1 } });
  });

  it('honours extra redact paths', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ name: 'test', redactPaths: ['customer.ssn'], destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) } });
    logger.info({ customer: { ssn: '123', name: 'n' } });
    expect(lines[0]).toMatchObject({ customer: { ssn: '[Redacted]', name: 'n' } });
  });

  it('does not invent redacted keys that were not logged', () => {
    const { logger, lines } = capture();
    logger.info('plain');
    expect(Object.keys(lines[0]!).sort()).toEqual(['instance', 'level', 'msg', 'name', 'pid', 'time']);
  });

  it('falls back to info, with a warning, on an unknown level', () => {
    const { logger, lines } = capture('verbose');
    expect(logger.level).toBe('info');
    expect(lines[0]).toMatchObject({ level: 'warn', requestedLevel: 'verbose' });
  });

  it('honours the level', () => {
    const { logger, lines } = capture('warn');
    logger.info('dropped');
    logger.error('kept');
    expect(lines.map((l) => l.msg)).toEqual(['kept']);
  });
});

describe('childWithNewFields', () => {
  it('adds only fields the logger does not bind, so no line has a key twice', () => {
    const raw: string[] = [];
    const logger = createLogger({ name: 'test', instance: 'host-1', destination: { write: (line: string) => raw.push(line) } });
    childWithNewFields(logger, { agent: 'billing', instance: 'host-1-abc' }).info('ready');
    const keys = [...raw[0]!.matchAll(/"([^"]+)":/g)].map((m) => m[1]);
    expect(keys.filter((k) => k === 'instance')).toHaveLength(1);
    expect(JSON.parse(raw[0]!)).toMatchObject({ instance: 'host-1', agent: 'billing', msg: 'ready' });
  });
});
