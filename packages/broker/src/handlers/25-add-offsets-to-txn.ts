import { defineApi } from '../api/types';
import { decodeAddOffsetsToTxnRequest, encodeAddOffsetsToTxnResponse, type AddOffsetsToTxnRequest, type AddOffsetsToTxnResponse } from '../codecs/25-add-offsets-to-txn';
import { TXN_APIS_FLEXIBLE_FROM } from '../codecs/txn-fields';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { groupAllowed } from '../security/access';
import { AclOperation } from '../security/acl';
import { fencedCodeFor, transactionalIdAllowed } from './transactions';

export const addOffsetsToTxnApi = defineApi<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  key: ApiKey.AddOffsetsToTxn,
  name: 'AddOffsetsToTxn',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: TXN_APIS_FLEXIBLE_FROM,
  decode: decodeAddOffsetsToTxnRequest,
  encode: encodeAddOffsetsToTxnResponse,
  handle: (req, ctx) => {
    if (!transactionalIdAllowed(ctx, req.transactionalId)) return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    if (req.groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID };
    if (!groupAllowed(ctx, AclOperation.READ, req.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    return { errorCode: fencedCodeFor(ctx.transactions.addOffsets(req.transactionalId, req, req.groupId), ctx.header.apiVersion, 2) };
  },
});
