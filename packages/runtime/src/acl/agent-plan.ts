import type { Agent } from '../agent/types';
import { CONTROL_TOPIC } from '../chaos/command';
import { HEARTBEAT_TOPIC } from '../worker/heartbeat';
import { consumedTopics, dlqTopic, retryTopic } from '../worker/topics';
import { AclPlanBuilder, CLUSTER_RESOURCE_NAME, type AclPlan } from './plan';

export interface AgentAclOptions {
  /** The agent's Kafka principal. Default `User:<agent name>`. */
  principal?: string;
  /**
   * The chaos listener on mesh.control, which `mesh run` always starts (it obeys only with --chaos, and answers
   * either way). Default true; false for processes started without it (startWorker without `chaos`).
   */
  chaosControl?: boolean;
}

/** The consumer group prefix of an agent's chaos listeners (`mesh-chaos.<agent>.<instance>`, chaos/control.ts). */
export function chaosGroupPrefix(agent: string): string {
  return `mesh-chaos.${agent}.`;
}

/**
 * The least ACLs an agent's process needs, read from its definition and from what the runtime does with Kafka
 * (worker/, kafka/, chaos/): its group reads its sources and its retry tiers; it writes its declared outputs, its
 * retry tiers, its DLQ and heartbeats; it creates its retry and DLQ topics at start (sized from the sources'
 * max.message.bytes); its producer is idempotent; committed offsets and end offsets for its lag come with READ.
 * Names are literal, so no other agent's topics are covered (an agent named `invoices` and a topic
 * `invoices.received` share a prefix). Anything else a handler writes to is refused by the broker, and the event
 * goes to the DLQ naming the topic.
 */
export function planAgentAcls(agent: Agent, options: AgentAclOptions = {}): AclPlan {
  const plan = new AclPlanBuilder(`agent ${agent.name}`, options.principal ?? `User:${agent.name}`);
  const tiers = agent.retry.delaysMs.map((_, tier) => retryTopic(agent.name, tier));
  const own = [...tiers, dlqTopic(agent.name)];
  plan
    .allow('TOPIC', consumedTopics(agent), ['READ'], `consumed by group ${agent.name} (its sources and retry tiers); READ also lets it see their offsets for its lag`)
    .allow('GROUP', [agent.name], ['READ'], 'its consumer group: join, commit, and read its committed offsets for its lag')
    .allow('TOPIC', agent.produces, ['WRITE'], 'its declared outputs (produces)')
    .allow('TOPIC', own, ['WRITE', 'CREATE'], 'its retry tiers and DLQ: created at start when missing, written when an event fails')
    .allow('TOPIC', agent.consumes, ['DESCRIBE_CONFIGS'], "its sources' max.message.bytes, which its retry and DLQ topics are created to hold")
    .allow('TOPIC', [HEARTBEAT_TOPIC], ['WRITE'], 'heartbeats every 5 s (mesh status, the console)')
    .allow('CLUSTER', [CLUSTER_RESOURCE_NAME], ['IDEMPOTENT_WRITE'], 'its idempotent producer (InitProducerId; Kafka 2.8 and later also accept WRITE on a topic)')
    .expect([...agent.consumes, ...agent.produces, HEARTBEAT_TOPIC]);
  if (options.chaosControl ?? true) {
    plan
      .allow('TOPIC', [CONTROL_TOPIC], ['READ', 'WRITE', 'CREATE'], 'chaos commands: read, answered (accepted or refused), and asked to be created at every start (mesh run listens always)')
      .allow('GROUP', [chaosGroupPrefix(agent.name)], ['READ'], "the chaos listener's group, one per instance", 'PREFIXED');
  }
  return plan.build();
}
