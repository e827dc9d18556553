import { defineApi } from '../api/types';
import { decodeEndTxnRequest, encodeEndTxnResponse, type EndTxnRequest, type EndTxnResponse } from '../codecs/26-end-txn';
import { TXN_APIS_FLEXIBLE_FROM } from '../codecs/txn-fields';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { fencedCodeFor, transactionalIdAllowed } from './transactions';

/** Commit or abort: the coordinator writes the markers (and applies sent offsets) before this answers. */
export const endTxnApi = defineApi<EndTxnRequest, EndTxnResponse>({
  key: ApiKey.EndTxn,
  name: 'EndTxn',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: TXN_APIS_FLEXIBLE_FROM,
  decode: decodeEndTxnRequest,
  encode: encodeEndTxnResponse,
  handle: (req, ctx) => {
    if (!transactionalIdAllowed(ctx, req.transactionalId)) return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    return { errorCode: fencedCodeFor(ctx.transactions.endTxn(req.transactionalId, req, req.committed), ctx.header.apiVersion, 2) };
  },
});
