import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

// Flexible from v0 (KIP-554).

export interface DescribeUserScramCredentialsRequest {
  /** null: every user. */
  users: string[] | null;
}

export interface DescribedUserScramCredentials {
  user: string;
  errorCode: number;
  errorMessage: string | null;
  credentials: Array<{ mechanism: number; iterations: number }>;
}

export interface DescribeUserScramCredentialsResponse {
  errorCode: number;
  errorMessage: string | null;
  results: DescribedUserScramCredentials[];
}

export function decodeDescribeUserScramCredentialsRequest(r: Reader, _version: number): DescribeUserScramCredentialsRequest {
  const users = r.compactNullableArray((x) => {
    const name = x.compactString();
    x.taggedFields();
    return name;
  });
  r.taggedFields();
  return { users };
}

export function encodeDescribeUserScramCredentialsResponse(w: Writer, res: DescribeUserScramCredentialsResponse, _version: number): void {
  w.int32(0); // throttle time
  w.int16(res.errorCode).compactNullableString(res.errorMessage);
  w.compactArray(res.results, (w, u) => {
    w.compactString(u.user).int16(u.errorCode).compactNullableString(u.errorMessage);
    w.compactArray(u.credentials, (w, c) => w.int8(c.mechanism).int32(c.iterations).taggedFields());
    w.taggedFields();
  });
  w.taggedFields();
}
