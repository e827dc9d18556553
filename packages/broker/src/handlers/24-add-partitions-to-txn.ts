import { defineApi } from '../api/types';
import { decodeAddPartitionsToTxnRequest, encodeAddPartitionsToTxnResponse, type AddPartitionsToTxnRequest, type AddPartitionsToTxnResponse } from '../codecs/24-add-partitions-to-txn';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { TRANSACTIONS_UNSUPPORTED } from './transactions';

export const addPartitionsToTxnApi = defineApi<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>({
  key: ApiKey.AddPartitionsToTxn,
  name: 'AddPartitionsToTxn',
  minVersion: 0,
  maxVersion: 0,
  decode: decodeAddPartitionsToTxnRequest,
  encode: encodeAddPartitionsToTxnResponse,
  handle: (req, ctx) => {
    ctx.log.warn({ transactionalId: req.transactionalId }, TRANSACTIONS_UNSUPPORTED);
    return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((index) => ({ index, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED })) })) };
  },
});
