import { defineApi } from '../api/types';
import { decodeSaslHandshakeRequest, encodeSaslHandshakeResponse, type SaslHandshakeRequest, type SaslHandshakeResponse } from '../codecs/17-sasl-handshake';
import { ApiKey } from '../protocol/api-keys';

/** Picks the mechanism; v0 means the tokens that follow come bare, v1 that they come in SaslAuthenticate. */
export const saslHandshakeApi = defineApi<SaslHandshakeRequest, SaslHandshakeResponse>({
  key: ApiKey.SaslHandshake,
  name: 'SaslHandshake',
  minVersion: 0,
  maxVersion: 1,
  decode: decodeSaslHandshakeRequest,
  encode: encodeSaslHandshakeResponse,
  handle: (req, ctx) => ctx.sasl.handshake(req.mechanism, ctx.header.apiVersion),
});
