import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface SaslHandshakeRequest {
  mechanism: string;
}

export interface SaslHandshakeResponse {
  errorCode: number;
  mechanisms: string[];
}

export function decodeSaslHandshakeRequest(r: Reader, _version: number): SaslHandshakeRequest {
  return { mechanism: r.string() };
}

export function encodeSaslHandshakeResponse(w: Writer, res: SaslHandshakeResponse, _version: number): void {
  w.int16(res.errorCode);
  w.array(res.mechanisms, (w, m) => w.string(m));
}
