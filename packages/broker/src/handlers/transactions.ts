import type { RequestContext } from '../api/types';
import { ErrorCode } from '../protocol/errors';
import { allowed } from '../security/access';
import { AclOperation, ResourceType } from '../security/acl';

/**
 * PRODUCER_FENCED (KIP-588) reaches only clients of the versions that know it
 * (e.g. EndTxn v2+); older ones get INVALID_PRODUCER_EPOCH, as from Kafka.
 */
export function fencedCodeFor(errorCode: ErrorCode, version: number, fencedFrom: number): ErrorCode {
  return errorCode === ErrorCode.PRODUCER_FENCED && version < fencedFrom ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}

/** Every transactional request needs WRITE on its transactional id. */
export function transactionalIdAllowed(ctx: RequestContext, transactionalId: string): boolean {
  return allowed(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId);
}
