import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

// Flexible from v0 (KIP-554). Clients send the salted password, never the password.

export interface ScramDeletion {
  name: string;
  mechanism: number;
}

export interface ScramUpsertion {
  name: string;
  mechanism: number;
  iterations: number;
  salt: Buffer;
  saltedPassword: Buffer;
}

export interface AlterUserScramCredentialsRequest {
  deletions: ScramDeletion[];
  upsertions: ScramUpsertion[];
}

export interface AlterUserScramCredentialsResponse {
  results: Array<{ user: string; errorCode: number; errorMessage: string | null }>;
}

export function decodeAlterUserScramCredentialsRequest(r: Reader, _version: number): AlterUserScramCredentialsRequest {
  const deletions = r.compactArray((x): ScramDeletion => {
    const d = { name: x.compactString(), mechanism: x.int8() };
    x.taggedFields();
    return d;
  });
  const upsertions = r.compactArray((x): ScramUpsertion => {
    const u = { name: x.compactString(), mechanism: x.int8(), iterations: x.int32(), salt: Buffer.from(x.compactBytes()), saltedPassword: Buffer.from(x.compactBytes()) };
    x.taggedFields();
    return u;
  });
  r.taggedFields();
  return { deletions, upsertions };
}

export function encodeAlterUserScramCredentialsResponse(w: Writer, res: AlterUserScramCredentialsResponse, _version: number): void {
  w.int32(0); // throttle time
  w.compactArray(res.results, (w, u) => w.compactString(u.user).int16(u.errorCode).compactNullableString(u.errorMessage).taggedFields());
  w.taggedFields();
}
