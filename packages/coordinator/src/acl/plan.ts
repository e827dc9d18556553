import { AclPlanBuilder, CLUSTER_RESOURCE_NAME, HEARTBEAT_TOPIC, type AclPlan } from '@agentmesh/runtime/internal';
import { DEFAULT_COORDINATOR_GROUP, SAGA_EVENTS_TOPIC, SAGA_REPLIES_TOPIC, SAGA_SIGNALS_TOPIC, SAGA_STUCK_TOPIC } from '../protocol/topics';
import type { Saga } from '../saga/types';

export interface CoordinatorAclOptions {
  /** The coordinator's consumer group (mesh coordinator --group). Default mesh-coordinator. */
  groupId?: string;
  /** Its Kafka principal. Default `User:<group>`. */
  principal?: string;
}

/**
 * The least ACLs a coordinator's process needs for these sagas (service/coordinator.ts, service/topics.ts): its
 * three groups read saga.replies, the triggers and saga.signals; it writes the steps' commands and compensations,
 * saga.events, saga.stuck, its DLQ, replies re-homed to their saga's partition, and heartbeats; it creates the
 * mesh's saga topics when missing and reads saga.replies' timestamp type; its producer is idempotent. Trigger,
 * command and compensation topics are the participants' and publishers' too: an administrator creates them.
 */
export function planCoordinatorAcls(sagas: readonly Saga[], options: CoordinatorAclOptions = {}): AclPlan {
  const group = options.groupId ?? DEFAULT_COORDINATOR_GROUP;
  const plan = new AclPlanBuilder(`coordinator ${group}`, options.principal ?? `User:${group}`);
  const triggers = [...new Set(sagas.map((s) => s.trigger))];
  const stepTopics = [...new Set(sagas.flatMap((s) => s.steps.flatMap((step) => [step.command, step.compensation].filter((t): t is string => t !== undefined))))];
  return plan
    .allow('GROUP', [group, `${group}.triggers`, `${group}.signals`], ['READ'], 'its consumer groups (replies, triggers, signals); READ also reads their committed offsets')
    .allow(
      'TOPIC',
      [SAGA_REPLIES_TOPIC],
      ['READ', 'WRITE', 'CREATE', 'DESCRIBE_CONFIGS'],
      "the participants' replies: read, re-homed to their saga's partition, created when missing, its timestamp type read",
    )
    .allow('TOPIC', triggers, ['READ'], "the sagas' triggers")
    .allow('TOPIC', [SAGA_SIGNALS_TOPIC], ['READ', 'CREATE'], 'approvals and rejections of wait steps; created when missing')
    .allow('TOPIC', stepTopics, ['WRITE'], "the steps' commands and compensations")
    .allow('TOPIC', [SAGA_EVENTS_TOPIC, SAGA_STUCK_TOPIC, `${group}.dlq`], ['WRITE', 'CREATE'], 'saga timelines, sagas waiting for an operator, and records it cannot use; created when missing')
    .allow('TOPIC', [HEARTBEAT_TOPIC], ['WRITE'], 'heartbeats every 5 s (mesh status, the console)')
    .allow('CLUSTER', [CLUSTER_RESOURCE_NAME], ['IDEMPOTENT_WRITE'], 'its idempotent producer (InitProducerId; Kafka 2.8 and later also accept WRITE on a topic)')
    .expect([...triggers, ...stepTopics, HEARTBEAT_TOPIC])
    .build();
}
