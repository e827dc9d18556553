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
import { saslHandshakeApi } from '../handlers/17-sasl-handshake';
import { apiVersionsApi } from '../handlers/18-api-versions';
import { createTopicsApi } from '../handlers/19-create-topics';
import { deleteTopicsApi } from '../handlers/20-delete-topics';
import { deleteRecordsApi } from '../handlers/21-delete-records';
import { initProducerIdApi } from '../handlers/22-init-producer-id';
import { offsetForLeaderEpochApi } from '../handlers/23-offset-for-leader-epoch';
import { addPartitionsToTxnApi } from '../handlers/24-add-partitions-to-txn';
import { addOffsetsToTxnApi } from '../handlers/25-add-offsets-to-txn';
import { endTxnApi } from '../handlers/26-end-txn';
import { txnOffsetCommitApi } from '../handlers/28-txn-offset-commit';
import { describeAclsApi } from '../handlers/29-describe-acls';
import { createAclsApi } from '../handlers/30-create-acls';
import { deleteAclsApi } from '../handlers/31-delete-acls';
import { describeConfigsApi } from '../handlers/32-describe-configs';
import { alterConfigsApi } from '../handlers/33-alter-configs';
import { saslAuthenticateApi } from '../handlers/36-sasl-authenticate';
import { createPartitionsApi } from '../handlers/37-create-partitions';
import { deleteGroupsApi } from '../handlers/42-delete-groups';
import { incrementalAlterConfigsApi } from '../handlers/44-incremental-alter-configs';
import { alterPartitionReassignmentsApi } from '../handlers/45-alter-partition-reassignments';
import { listPartitionReassignmentsApi } from '../handlers/46-list-partition-reassignments';
import { offsetDeleteApi } from '../handlers/47-offset-delete';
import { describeUserScramCredentialsApi } from '../handlers/50-describe-user-scram-credentials';
import { alterUserScramCredentialsApi } from '../handlers/51-alter-user-scram-credentials';
import { describeClusterApi } from '../handlers/60-describe-cluster';
import { describeTransactionsApi } from '../handlers/65-describe-transactions';
import { listTransactionsApi } from '../handlers/66-list-transactions';
import { ApiKey } from '../protocol/api-keys';
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
  saslHandshakeApi,
  apiVersionsApi,
  createTopicsApi,
  deleteTopicsApi,
  deleteRecordsApi,
  initProducerIdApi,
  offsetForLeaderEpochApi,
  addPartitionsToTxnApi,
  addOffsetsToTxnApi,
  endTxnApi,
  txnOffsetCommitApi,
  describeAclsApi,
  createAclsApi,
  deleteAclsApi,
  describeConfigsApi,
  alterConfigsApi,
  saslAuthenticateApi,
  createPartitionsApi,
  deleteGroupsApi,
  incrementalAlterConfigsApi,
  alterPartitionReassignmentsApi,
  listPartitionReassignmentsApi,
  offsetDeleteApi,
  describeUserScramCredentialsApi,
  alterUserScramCredentialsApi,
  describeClusterApi,
  describeTransactionsApi,
  listTransactionsApi,
].sort((a, b) => a.key - b.key);

export const APIS_BY_KEY: ReadonlyMap<number, AnyApiDefinition> = new Map(ALL_APIS.map((a) => [a.key, a]));

/** APIs that only make sense where SASL is spoken; other listeners neither serve nor advertise them. */
const SASL_ONLY: ReadonlySet<number> = new Set([ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);

/** Before authenticating, a SASL listener answers only these. */
export const PRE_AUTH_APIS: ReadonlySet<number> = new Set([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);

export interface ListenerApis {
  list: readonly AnyApiDefinition[];
  byKey: ReadonlyMap<number, AnyApiDefinition>;
}

export function apisForListener(sasl: boolean): ListenerApis {
  const list = sasl ? ALL_APIS : ALL_APIS.filter((a) => !SASL_ONLY.has(a.key));
  return { list, byKey: new Map(list.map((a) => [a.key, a])) };
}
