import { produceApi } from '../handlers/00-produce';
import { fetchApi } from '../handlers/01-fetch';
import { listOffsetsApi } from '../handlers/02-list-offsets';
import { metadataApi } from '../handlers/03-metadata';
import { offsetCommitApi } from '../handlers/08-offset-commit';
import { offsetFetchApi } from '../handlers/09-offset-fetch';
import { findCoordinatorApi } from '../handlers/10-find-coordinator';
import { joinGroupApi } from '../handlers/11-join-group';
import { heartbeatApi } from '../handlers/12-heartbeat';
import { leaveGroupApi } from '../handlers/13-leave-group';
import { syncGroupApi } from '../handlers/14-sync-group';
import { describeGroupsApi } from '../handlers/15-describe-groups';
import { listGroupsApi } from '../handlers/16-list-groups';
import { apiVersionsApi } from '../handlers/18-api-versions';
import { createTopicsApi } from '../handlers/19-create-topics';
import { deleteTopicsApi } from '../handlers/20-delete-topics';
import { initProducerIdApi } from '../handlers/22-init-producer-id';
import { addPartitionsToTxnApi } from '../handlers/24-add-partitions-to-txn';
import { addOffsetsToTxnApi } from '../handlers/25-add-offsets-to-txn';
import { endTxnApi } from '../handlers/26-end-txn';
import { txnOffsetCommitApi } from '../handlers/28-txn-offset-commit';
import { describeConfigsApi } from '../handlers/32-describe-configs';
import { createPartitionsApi } from '../handlers/37-create-partitions';
import { deleteGroupsApi } from '../handlers/42-delete-groups';
import type { AnyApiDefinition } from './types';

/** Every API the broker serves; ApiVersions is answered from this list. Keep it sorted by key. */
export const ALL_APIS: readonly AnyApiDefinition[] = [
  produceApi,
  fetchApi,
  listOffsetsApi,
  metadataApi,
  offsetCommitApi,
  offsetFetchApi,
  findCoordinatorApi,
  joinGroupApi,
  heartbeatApi,
  leaveGroupApi,
  syncGroupApi,
  describeGroupsApi,
  listGroupsApi,
  apiVersionsApi,
  createTopicsApi,
  deleteTopicsApi,
  initProducerIdApi,
  addPartitionsToTxnApi,
  addOffsetsToTxnApi,
  endTxnApi,
  txnOffsetCommitApi,
  describeConfigsApi,
  createPartitionsApi,
  deleteGroupsApi,
].sort((a, b) => a.key - b.key);

export const APIS_BY_KEY: ReadonlyMap<number, AnyApiDefinition> = new Map(ALL_APIS.map((a) => [a.key, a]));
