import { checkAction, checkBinding, ConsoleAccessError, isLoopbackHost, type ActionRequest } from './access';

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])('%s is loopback', (host) => expect(isLoopbackHost(host)).toBe(true));
  it.each(['0.0.0.0', '::', '10.0.0.5', 'example.com', '128.0.0.1'])('%s is not', (host) => expect(isLoopbackHost(host)).toBe(false));
});

describe('checkBinding', () => {
  it('binds loopback with or without a token', () => {
    expect(checkBinding({ host: '127.0.0.1', token: undefined, insecure: false })).toEqual({});
  });

  it('refuses another host without a token, in one line naming the ways out', () => {
    expect(() => checkBinding({ host: '0.0.0.0', token: undefined, insecure: false })).toThrow(ConsoleAccessError);
    expect(() => checkBinding({ host: '0.0.0.0', token: '', insecure: false })).toThrow(
      /^refusing to bind the console to 0\.0\.0\.0 without a token: set --token or MESH_CONSOLE_TOKEN \(or pass --insecure/,
    );
  });

  it('binds another host with a token, or with --insecure and a warning', () => {
    expect(checkBinding({ host: '0.0.0.0', token: 's3cret', insecure: false })).toEqual({});
    expect(checkBinding({ host: '0.0.0.0', token: undefined, insecure: true }).warning).toMatch(/no token/);
  });
});

describe('checkAction', () => {
  const request = (over: Partial<ActionRequest> = {}): ActionRequest => ({
    method: 'POST',
    host: '127.0.0.1:7070',
    origin: 'http://127.0.0.1:7070',
    contentType: 'application/json',
    authorization: undefined,
    ...over,
  });

  it('takes a JSON request from its own origin when no token is configured', () => {
    expect(checkAction(request(), undefined)).toEqual({ ok: true });
    expect(checkAction(request({ origin: undefined }), undefined)).toEqual({ ok: true });
  });

  it('refuses a form post and another origin: another web page cannot act through a browser', () => {
    expect(checkAction(request({ contentType: 'application/x-www-form-urlencoded' }), undefined)).toMatchObject({ ok: false, status: 415 });
    expect(checkAction(request({ origin: 'http://evil.example' }), undefined)).toMatchObject({ ok: false, status: 403 });
    expect(checkAction(request({ origin: 'not a url' }), undefined)).toMatchObject({ ok: false, status: 403 });
  });

  it('needs the bearer token when one is configured', () => {
    const missing = checkAction(request(), 's3cret');
    expect(missing).toMatchObject({ ok: false, status: 401 });
    expect(!missing.ok && missing.error).toMatch(/needs its token/);
    expect(checkAction(request({ authorization: 'Bearer wrong' }), 's3cret')).toMatchObject({ ok: false, status: 401, error: 'wrong console token' });
    expect(checkAction(request({ authorization: 'Bearer s3cret' }), 's3cret')).toEqual({ ok: true });
  });
});
