import type { KafkaConnectionSettings } from './settings';

const usesTls = (settings: KafkaConnectionSettings) => settings.securityProtocol === 'SSL' || settings.securityProtocol === 'SASL_SSL';

/**
 * What to check, for a Kafka connection failure that is likely a security mismatch (wrong password,
 * TLS to a plaintext port or the reverse, an untrusted certificate); undefined for any other failure.
 * Names settings, never their secret values.
 */
export function kafkaSecurityHint(message: string, settings: KafkaConnectionSettings): string | undefined {
  const sasl = settings.sasl;
  if (/does not support the requested SASL mechanism|UNSUPPORTED_SASL_MECHANISM/i.test(message)) {
    return `the broker does not offer SASL ${sasl?.mechanism ?? 'mechanism'} here: check KAFKA_SASL_MECHANISM and the port`;
  }
  if (/authentication failed|SASL_AUTHENTICATION_FAILED|invalid credentials/i.test(message)) {
    if (sasl?.mechanism === 'OAUTHBEARER') return 'the broker refused the OAUTHBEARER token: check KAFKA_SASL_OAUTHBEARER_*';
    return `the broker refused ${sasl ? `user ${sasl.username}` : 'the credentials'}: check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD(_FILE)`;
  }
  if (/certificate|self[- ]signed|unable to verify|CERT_|hostname\/IP does not match/i.test(message)) {
    return 'the broker certificate is not trusted: check KAFKA_SSL_CA_FILE (and KAFKA_SSL_SERVER_NAME)';
  }
  if (usesTls(settings) && /secure TLS connection|wrong version number|EPROTO|SSL routines|packet length too long/i.test(message)) {
    return `the TLS handshake failed: KAFKA_SECURITY_PROTOCOL is ${settings.securityProtocol}; is the port a TLS listener?`;
  }
  if (!usesTls(settings) && /Closed connection|ECONNRESET|socket hang up|Connection timeout|Request timed out/i.test(message)) {
    return `KAFKA_SECURITY_PROTOCOL is ${settings.securityProtocol}: if the port is a TLS or SASL listener, set it to SSL, SASL_SSL or SASL_PLAINTEXT`;
  }
  if (!sasl && /Closed connection|ECONNRESET/i.test(message)) {
    return `KAFKA_SECURITY_PROTOCOL is ${settings.securityProtocol}: if the port is a SASL listener, set KAFKA_SASL_MECHANISM`;
  }
  return undefined;
}
