import { defineApi } from '../api/types';
import { decodeListTransactionsRequest, encodeListTransactionsResponse, type ListTransactionsRequest, type ListTransactionsResponse } from '../codecs/66-list-transactions';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { allowed } from '../security/access';
import { AclOperation, ResourceType } from '../security/acl';
import { TXN_STATE_NAMES } from '../transactions/txn-state';

/** Transactional ids the requester may describe, filtered by state and producer id (empty filters match all). */
export const listTransactionsApi = defineApi<ListTransactionsRequest, ListTransactionsResponse>({
  key: ApiKey.ListTransactions,
  name: 'ListTransactions',
  minVersion: 0,
  maxVersion: 0,
  flexibleFrom: 0,
  decode: decodeListTransactionsRequest,
  encode: encodeListTransactionsResponse,
  handle: (req, ctx) => {
    const states = new Set(req.stateFilters);
    const producerIds = new Set(req.producerIdFilters);
    const transactions = ctx.transactions
      .list()
      .filter((m) => (states.size === 0 || states.has(m.state)) && (producerIds.size === 0 || producerIds.has(m.producerId)))
      .filter((m) => allowed(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, m.transactionalId))
      .map((m) => ({ transactionalId: m.transactionalId, producerId: m.producerId, state: m.state }));
    const unknownStateFilters = req.stateFilters.filter((s) => !TXN_STATE_NAMES.has(s));
    return { errorCode: ErrorCode.NONE, unknownStateFilters, transactions };
  },
});
