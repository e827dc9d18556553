import { defineApi } from '../api/types';
import { decodeEndTxnRequest, encodeEndTxnResponse, type EndTxnRequest, type EndTxnResponse } from '../codecs/26-end-txn';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { TRANSACTIONS_UNSUPPORTED } from './transactions';

export const endTxnApi = defineApi<EndTxnRequest, EndTxnResponse>({
  key: ApiKey.EndTxn,
  name: 'EndTxn',
  minVersion: 0,
  maxVersion: 1,
  decode: decodeEndTxnRequest,
  encode: encodeEndTxnResponse,
  handle: (req, ctx) => {
    ctx.log.warn({ transactionalId: req.transactionalId }, TRANSACTIONS_UNSUPPORTED);
    return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
  },
});
