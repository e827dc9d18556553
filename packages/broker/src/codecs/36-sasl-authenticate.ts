import { readBytes, writeBytes, writeNullableString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const SASL_AUTHENTICATE_FLEXIBLE_FROM = 2;

export interface SaslAuthenticateRequest {
  authBytes: Buffer;
}

export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  /** v1+: how long the session lasts before the client must re-authenticate (KIP-368); 0 for no limit. */
  sessionLifetimeMs: number;
}

export function decodeSaslAuthenticateRequest(r: Reader, version: number): SaslAuthenticateRequest {
  const flexible = version >= SASL_AUTHENTICATE_FLEXIBLE_FROM;
  // Copied: the token outlives the request buffer while the exchange continues.
  const authBytes = Buffer.from(readBytes(r, flexible));
  if (flexible) r.taggedFields();
  return { authBytes };
}

export function encodeSaslAuthenticateResponse(w: Writer, res: SaslAuthenticateResponse, version: number): void {
  const flexible = version >= SASL_AUTHENTICATE_FLEXIBLE_FROM;
  w.int16(res.errorCode);
  writeNullableString(w, res.errorMessage, flexible);
  writeBytes(w, res.authBytes, flexible);
  if (version >= 1) w.int64(res.sessionLifetimeMs);
  if (flexible) w.taggedFields();
}
