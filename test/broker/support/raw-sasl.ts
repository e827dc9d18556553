import { ApiKey } from '../../../packages/broker/src/protocol/api-keys';
import type { RawKafkaClient } from './raw-client';

export interface RawAuthOutcome {
  errorCode: number;
  errorMessage: string | null;
  sessionLifetimeMs: bigint;
}

/** SaslHandshake v1 then one SaslAuthenticate v1 with a PLAIN token, read field by field. */
export async function rawPlainLogin(raw: RawKafkaClient, user: string, password: string): Promise<RawAuthOutcome> {
  const hs = await raw.request(ApiKey.SaslHandshake, 1, (w) => w.string('PLAIN'));
  const handshakeError = hs.int16();
  if (handshakeError !== 0) return { errorCode: handshakeError, errorMessage: 'handshake refused', sessionLifetimeMs: 0n };
  const r = await raw.request(ApiKey.SaslAuthenticate, 1, (w) => w.bytes(Buffer.from(`\u0000${user}\u0000${password}`)));
  const errorCode = r.int16();
  const errorMessage = r.nullableString();
  r.bytes();
  const lifetime = r.raw(8).readBigInt64BE(0);
  return { errorCode, errorMessage, sessionLifetimeMs: lifetime };
}
