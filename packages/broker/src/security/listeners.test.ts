import { advertisedFor, ListenerConfigError, parseListeners } from './listeners';

describe('parseListeners (Kafka listeners syntax)', () => {
  it('reads several listeners side by side', () => {
    expect(parseListeners('SASL_SSL://127.0.0.1:9093, PLAINTEXT://localhost:9092')).toEqual([
      { name: 'SASL_SSL', host: '127.0.0.1', port: 9093 },
      { name: 'PLAINTEXT', host: 'localhost', port: 9092 },
    ]);
  });

  it('reads IPv6 hosts in brackets and an empty host as loopback', () => {
    expect(parseListeners('SSL://[::1]:0')).toEqual([{ name: 'SSL', host: '::1', port: 0 }]);
    expect(parseListeners('PLAINTEXT://:9092')).toEqual([{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 }]);
  });

  it('refuses what Kafka refuses, naming the entry', () => {
    expect(() => parseListeners('')).toThrow(ListenerConfigError);
    expect(() => parseListeners('127.0.0.1:9092')).toThrow(/not NAME:\/\/host:port/);
    expect(() => parseListeners('KERBEROS://h:1')).toThrow(/'KERBEROS' is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/);
    expect(() => parseListeners('PLAINTEXT://h:70000')).toThrow(/above 65535/);
    expect(() => parseListeners('PLAINTEXT://h:1,PLAINTEXT://h:2')).toThrow(/appears twice/);
  });
});

describe('advertisedFor', () => {
  it('pairs each listener with its advertised entry by name, or none', () => {
    const listeners = parseListeners('PLAINTEXT://0.0.0.0:9092,SASL_SSL://0.0.0.0:9093');
    const advertised = advertisedFor(listeners, parseListeners('SASL_SSL://kafka.example:19093'));
    expect(advertised.get('SASL_SSL')).toEqual({ name: 'SASL_SSL', host: 'kafka.example', port: 19093 });
    expect(advertised.get('PLAINTEXT')).toBeNull();
  });

  it('refuses an advertised listener without a listener of that name', () => {
    expect(() => advertisedFor(parseListeners('PLAINTEXT://h:1'), parseListeners('SSL://h:2'))).toThrow(/advertised listener SSL has no listener/);
  });
});
