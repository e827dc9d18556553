import type { AclOperationName, AclPlan, PlannedAcl } from '@agentmesh/runtime/internal';

/** kafka-acls.sh's spelling of each operation. */
const OPERATION_FLAG: Readonly<Record<AclOperationName, string>> = {
  READ: 'Read',
  WRITE: 'Write',
  CREATE: 'Create',
  DESCRIBE: 'Describe',
  DESCRIBE_CONFIGS: 'DescribeConfigs',
  IDEMPOTENT_WRITE: 'IdempotentWrite',
};

export interface KafkaAclsTarget {
  /** host:port list for --bootstrap-server. */
  bootstrapServers: readonly string[];
  /** kafka-acls.sh --command-config: the admin client's properties for a secured cluster. */
  commandConfig?: string;
}

/** A word as the shell reads it: as is when it is plain, else in single quotes. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9._:=@/,+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function resourceFlags(type: PlannedAcl['resourceType'], names: readonly string[]): string[] {
  if (type === 'CLUSTER') return ['--cluster'];
  const flag = type === 'TOPIC' ? '--topic' : '--group';
  return names.flatMap((name) => [flag, shellWord(name)]);
}

/**
 * The plan as kafka-acls.sh commands: one per reason and resource kind, each adding the cross product of its
 * --operation and --topic/--group flags (as kafka-acls.sh does), preceded by a comment saying why. Running them
 * grants exactly the plan's bindings.
 */
export function kafkaAclsLines(plan: AclPlan, target: KafkaAclsTarget): string[] {
  const base = ['kafka-acls.sh', '--bootstrap-server', shellWord(target.bootstrapServers.join(','))];
  if (target.commandConfig !== undefined) base.push('--command-config', shellWord(target.commandConfig));
  base.push('--add', '--allow-principal', shellWord(plan.principal));
  // Bindings of one reason, kind and pattern; within it, names granted the same operations share a line.
  const groups = new Map<string, { why: string; type: PlannedAcl['resourceType']; prefixed: boolean; opsByName: Map<string, AclOperationName[]> }>();
  for (const b of plan.bindings) {
    const key = `${b.why}\u0000${b.resourceType}\u0000${b.patternType}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { why: b.why, type: b.resourceType, prefixed: b.patternType === 'PREFIXED', opsByName: new Map() }));
    group.opsByName.set(b.resourceName, [...(group.opsByName.get(b.resourceName) ?? []), b.operation]);
  }
  const lines = [`# ${plan.subject} as ${plan.principal}: ${plan.bindings.length} ACLs`];
  if (plan.topicsToCreateFirst.length > 0) lines.push(`# topics it needs that an administrator creates first: ${plan.topicsToCreateFirst.join(' ')}`);
  for (const group of groups.values()) {
    lines.push(`# ${group.why}`);
    const namesByOps = new Map<string, { ops: AclOperationName[]; names: string[] }>();
    for (const [name, ops] of group.opsByName) {
      const entry = namesByOps.get(ops.join(','));
      if (entry) entry.names.push(name);
      else namesByOps.set(ops.join(','), { ops, names: [name] });
    }
    for (const { ops, names } of namesByOps.values()) {
      const words = [...base, ...ops.flatMap((op) => ['--operation', OPERATION_FLAG[op]]), ...resourceFlags(group.type, names)];
      if (group.prefixed) words.push('--resource-pattern-type', 'prefixed');
      lines.push(words.join(' '));
    }
  }
  return lines;
}

/** The plan as JSON: Kafka's names for each binding's parts, and why it is needed. */
export function aclPlanJson(plan: AclPlan): string {
  return JSON.stringify({
    subject: plan.subject,
    principal: plan.principal,
    topicsToCreateFirst: plan.topicsToCreateFirst,
    bindings: plan.bindings.map((b) => ({
      resourceType: b.resourceType,
      resourceName: b.resourceName,
      patternType: b.patternType,
      principal: b.principal,
      host: b.host,
      operation: b.operation,
      permission: b.permission,
      why: b.why,
    })),
  });
}
