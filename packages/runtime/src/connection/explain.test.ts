import { kafkaSecurityHint } from './explain';
import type { KafkaConnectionSettings } from './settings';

const SCRAM: KafkaConnectionSettings = { securityProtocol: 'SASL_SSL', tls: { rejectUnauthorized: true }, sasl: { mechanism: 'SCRAM-SHA-512', username: 'agent', password: 'hunter2' } };
const PLAIN: KafkaConnectionSettings = { securityProtocol: 'PLAINTEXT' };

describe('kafkaSecurityHint', () => {
  it('names the mechanism and user of a refused login, never the password', () => {
    const hint = kafkaSecurityHint('SASL SCRAM SHA512 authentication failed: Authentication failed: invalid credentials', SCRAM)!;
    expect(hint).toBe('the broker refused user agent: check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD(_FILE)');
    expect(hint).not.toContain('hunter2');
  });

  it('tells TLS to a plaintext port from plaintext to a TLS port', () => {
    expect(kafkaSecurityHint('Connection error: Client network socket disconnected before secure TLS connection was established', SCRAM)).toMatch(
      /TLS handshake failed: KAFKA_SECURITY_PROTOCOL is SASL_SSL/,
    );
    expect(kafkaSecurityHint('Closed connection', PLAIN)).toMatch(/^KAFKA_SECURITY_PROTOCOL is PLAINTEXT: if the port is a TLS or SASL listener/);
  });

  it('points at the CA for an untrusted or expired certificate, and at the mechanism when it is not offered', () => {
    expect(kafkaSecurityHint('Connection error: self-signed certificate in certificate chain', SCRAM)).toMatch(/KAFKA_SSL_CA_FILE/);
    expect(kafkaSecurityHint('The broker does not support the requested SASL mechanism', SCRAM)).toMatch(/SASL SCRAM-SHA-512 here/);
  });

  it('has nothing to add to other failures', () => {
    expect(kafkaSecurityHint('Connection error: connect ECONNREFUSED 127.0.0.1:9092', SCRAM)).toBeUndefined();
    expect(kafkaSecurityHint('This server does not host this topic-partition', PLAIN)).toBeUndefined();
  });
});
