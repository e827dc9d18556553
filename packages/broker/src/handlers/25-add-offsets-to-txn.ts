import { defineApi } from '../api/types';
import { decodeAddOffsetsToTxnRequest, encodeAddOffsetsToTxnResponse, type AddOffsetsToTxnRequest, type AddOffsetsToTxnResponse } from '../codecs/25-add-offsets-to-txn';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { TRANSACTIONS_UNSUPPORTED } from './transactions';

export const addOffsetsToTxnApi = defineApi<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  key: ApiKey.AddOffsetsToTxn,
  name: 'AddOffsetsToTxn',
  minVersion: 0,
  maxVersion: 0,
  decode: decodeAddOffsetsToTxnRequest,
  encode: encodeAddOffsetsToTxnResponse,
  handle: (req, ctx) => {
    ctx.log.warn({ transactionalId: req.transactionalId }, TRANSACTIONS_UNSUPPORTED);
    return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
  },
});
