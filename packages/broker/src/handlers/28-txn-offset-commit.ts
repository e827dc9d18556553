import { defineApi } from '../api/types';
import { decodeTxnOffsetCommitRequest, encodeTxnOffsetCommitResponse, type TxnOffsetCommitRequest, type TxnOffsetCommitResponse } from '../codecs/28-txn-offset-commit';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { TRANSACTIONS_UNSUPPORTED } from './transactions';

export const txnOffsetCommitApi = defineApi<TxnOffsetCommitRequest, TxnOffsetCommitResponse>({
  key: ApiKey.TxnOffsetCommit,
  name: 'TxnOffsetCommit',
  minVersion: 0,
  maxVersion: 1,
  decode: decodeTxnOffsetCommitRequest,
  encode: encodeTxnOffsetCommitResponse,
  handle: (req, ctx) => {
    ctx.log.warn({ transactionalId: req.transactionalId }, TRANSACTIONS_UNSUPPORTED);
    return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((index) => ({ index, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED })) })) };
  },
});
