import { defineApi } from '../api/types';
import {
  decodeSaslAuthenticateRequest,
  encodeSaslAuthenticateResponse,
  SASL_AUTHENTICATE_FLEXIBLE_FROM,
  type SaslAuthenticateRequest,
  type SaslAuthenticateResponse,
} from '../codecs/36-sasl-authenticate';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';

/** One SASL token in, one out; a refusal is answered, then the connection closes (as Kafka does). */
export const saslAuthenticateApi = defineApi<SaslAuthenticateRequest, SaslAuthenticateResponse>({
  key: ApiKey.SaslAuthenticate,
  name: 'SaslAuthenticate',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: SASL_AUTHENTICATE_FLEXIBLE_FROM,
  decode: decodeSaslAuthenticateRequest,
  encode: encodeSaslAuthenticateResponse,
  handle: (req, ctx) => {
    const outcome = ctx.sasl.authenticate(req.authBytes);
    // The reason goes to the client; the log gets no token, so no secret.
    if (outcome.errorCode !== ErrorCode.NONE) ctx.log.info({ errorCode: outcome.errorCode }, `SASL authentication refused: ${outcome.errorMessage}`);
    return outcome;
  },
});
