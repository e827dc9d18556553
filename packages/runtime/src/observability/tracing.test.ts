import { traceIdFromTraceparent } from './propagation';
import { isRecording, otlpTracesUrlFor, setupTracing } from './tracing-setup';

describe('traceIdFromTraceparent', () => {
  it('reads the trace id of a valid header', () => {
    expect(traceIdFromTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceIdFromTraceparent(' 00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-00 ')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it.each([undefined, '', 'nonsense', '00-123-456-01', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'])('gives undefined for %p', (value) => {
    expect(traceIdFromTraceparent(value)).toBeUndefined();
  });
});

describe('otlpTracesUrlFor', () => {
  it('appends /v1/traces to the base endpoint', () => {
    expect(otlpTracesUrlFor('http://localhost:4318')).toBe('http://localhost:4318/v1/traces');
    expect(otlpTracesUrlFor('http://jaeger:4318//')).toBe('http://jaeger:4318/v1/traces');
  });
});

describe('setupTracing exporter selection', () => {
  async function selection(options: Parameters<typeof setupTracing>[0]) {
    const tracing = setupTracing({ registerGlobal: false, ...options });
    await tracing.shutdown();
    return { exporter: tracing.exporter, url: tracing.otlpTracesUrl };
  }

  it('prefers the explicit option, then the environment, then none', async () => {
    expect(await selection({ serviceName: 's', env: {} })).toEqual({ exporter: 'none', url: undefined });
    expect(await selection({ serviceName: 's', env: { OTEL_EXPORTER_OTLP_ENDPOINT: '  ' } })).toEqual({ exporter: 'none', url: undefined });
    expect(await selection({ serviceName: 's', otlpEndpoint: 'http://a:4318', env: {} })).toEqual({ exporter: 'otlp', url: 'http://a:4318/v1/traces' });
    expect(await selection({ serviceName: 's', exporter: 'none', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318' } })).toEqual({ exporter: 'none', url: undefined });
  });

  it('uses the signal-specific endpoint as a full URL and respects OTEL_SDK_DISABLED', async () => {
    expect(await selection({ serviceName: 's', env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom' } })).toEqual({ exporter: 'otlp', url: 'http://c:4318/custom' });
    expect(await selection({ serviceName: 's', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SDK_DISABLED: 'true' } })).toEqual({ exporter: 'none', url: undefined });
  });

  it("falls back to the local collector port when 'otlp' is asked for without an endpoint", async () => {
    expect(await selection({ serviceName: 's', exporter: 'otlp', env: {} })).toEqual({ exporter: 'otlp', url: 'http://localhost:4318/v1/traces' });
  });
});

describe('isRecording', () => {
  it('is false only for the tracer of a set-up with nothing to export', async () => {
    const none = setupTracing({ serviceName: 's', exporter: 'none', registerGlobal: false });
    const memory = setupTracing({ serviceName: 's', exporter: 'memory', registerGlobal: false });
    try {
      expect(isRecording(none.tracer)).toBe(false);
      expect(isRecording(memory.tracer)).toBe(true);
    } finally {
      await Promise.all([none.shutdown(), memory.shutdown()]);
    }
  });
});
