import { matchRoute } from './routes';

describe('matchRoute', () => {
  it('serves the page and the assets', () => {
    expect(matchRoute('GET', '/')).toEqual({ route: { name: 'page' } });
    expect(matchRoute('GET', '/assets/pages/dlq.mjs')).toEqual({ route: { name: 'asset', path: 'pages/dlq.mjs' } });
    expect(matchRoute('POST', '/assets/app.mjs')).toMatchObject({ status: 405 });
  });

  it('decodes path parameters', () => {
    expect(matchRoute('GET', '/api/agents/ocr%2Dv2')).toEqual({ route: { name: 'agent', agent: 'ocr-v2' } });
    expect(matchRoute('GET', '/api/trace/a%20b')).toEqual({ route: { name: 'trace', id: 'a b' } });
    expect(matchRoute('GET', '/api/dlq/ocr')).toEqual({ route: { name: 'dlq-letters', agent: 'ocr' } });
  });

  it('takes actions by POST only', () => {
    expect(matchRoute('POST', '/api/dlq/ocr/replay')).toEqual({ route: { name: 'dlq-replay', agent: 'ocr' } });
    expect(matchRoute('GET', '/api/dlq/ocr/replay')).toMatchObject({ status: 405 });
    expect(matchRoute('POST', '/api/sagas/s-1/resume')).toEqual({ route: { name: 'saga-resume', id: 's-1' } });
    expect(matchRoute('POST', '/api/fleet')).toMatchObject({ status: 405 });
  });

  it('answers 404 for what it does not know, and for a parameter that does not decode', () => {
    expect(matchRoute('GET', '/api/nothing')).toEqual({ status: 404, error: 'no such resource: /api/nothing' });
    expect(matchRoute('GET', '/api/agents/%E0%A4%A')).toMatchObject({ status: 404 });
  });
});
