import type { RequestContext } from '../api/types';
import { ResourceType } from '../codecs/32-describe-configs';
import { ErrorCode } from '../protocol/errors';
import { clusterAllowed, topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';
import { BROKER_CONFIGS_BY_NAME } from '../state/broker-config';
import type { ChangeOutcome } from '../state/config-changes';
import { TOPIC_CONFIGS_BY_NAME } from '../state/topic-config';
import type { ConfigType } from '../state/config-types';

export interface AlterOutcome {
  errorCode: number;
  errorMessage: string | null;
  type: number;
  name: string;
}

/** How a resource's own configs are read, and what its new set is given them (AlterConfigs or IncrementalAlterConfigs). */
export interface ResourceAlteration {
  type: number;
  name: string;
  change(current: Readonly<Record<string, string>>, typeOf: (name: string) => ConfigType | undefined, inForce: (name: string) => string | null): ChangeOutcome;
}

/** Checks access, computes the new configs, validates them and (unless validateOnly) applies them: one resource of either API. */
export function alterResource(alteration: ResourceAlteration, validateOnly: boolean, ctx: RequestContext): AlterOutcome {
  const { type, name } = alteration;
  const outcome = (errorCode: ErrorCode, errorMessage: string | null): AlterOutcome => ({ errorCode, errorMessage, type, name });
  const failed = (o: Extract<ChangeOutcome, { ok: false }>) => outcome(o.invalidRequest ? ErrorCode.INVALID_REQUEST : ErrorCode.INVALID_CONFIG, o.message);
  if (type === ResourceType.Topic) {
    if (!topicAllowed(ctx, AclOperation.ALTER_CONFIGS, name)) return outcome(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `ALTER_CONFIGS on topic '${name}' is not allowed`);
    const topic = ctx.cluster.topics.get(name);
    if (!topic) return outcome(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
    const changed = alteration.change(
      topic.configs,
      (n) => TOPIC_CONFIGS_BY_NAME.get(n)?.type,
      (n) => topic.effectiveConfigs()[n] ?? null,
    );
    if (!changed.ok) return failed(changed);
    const applied = ctx.cluster.setTopicConfigs(name, changed.configs, validateOnly);
    return outcome(applied.errorCode, applied.errorMessage);
  }
  if (type === ResourceType.Broker) {
    if (!clusterAllowed(ctx, AclOperation.ALTER_CONFIGS)) return outcome(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'ALTER_CONFIGS on the cluster is not allowed');
    const scope = name === '' ? 'cluster' : 'broker';
    if (scope === 'broker' && name !== String(ctx.cluster.config.nodeId)) {
      return outcome(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${ctx.cluster.config.nodeId} or empty string, but received ${name}`);
    }
    const store = ctx.cluster.brokerConfigs;
    const current = Object.fromEntries(store.dynamicAt(scope));
    const changed = alteration.change(
      current,
      (n) => BROKER_CONFIGS_BY_NAME.get(n)?.type,
      (n) => store.resolveBroker(n, 'broker').value,
    );
    if (!changed.ok) return failed(changed);
    for (const [key, value] of Object.entries(changed.configs)) {
      const problem = store.problem(key, value);
      if (problem) return outcome(problem.message.startsWith('Cannot update') ? ErrorCode.INVALID_REQUEST : ErrorCode.INVALID_CONFIG, problem.message);
    }
    if (!validateOnly) {
      const removed = Object.keys(current).filter((k) => !(k in changed.configs));
      store.apply(scope, [...Object.entries(changed.configs).map(([k, v]) => ({ name: k, value: v })), ...removed.map((k) => ({ name: k, value: null }))]);
    }
    return outcome(ErrorCode.NONE, null);
  }
  return outcome(ErrorCode.INVALID_REQUEST, `resource type ${type} is not supported`);
}
