/** Kafka's names for the parts of an ACL binding (as kafka-acls.sh, the Java AclBinding and the admin APIs use them). */
export type AclResourceType = 'TOPIC' | 'GROUP' | 'CLUSTER';
export type AclPatternType = 'LITERAL' | 'PREFIXED';
export type AclOperationName = 'READ' | 'WRITE' | 'CREATE' | 'DESCRIBE' | 'DESCRIBE_CONFIGS' | 'IDEMPOTENT_WRITE';

/** Kafka's one cluster resource. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';

/** One ALLOW binding a mesh process needs, and why. */
export interface PlannedAcl {
  resourceType: AclResourceType;
  resourceName: string;
  patternType: AclPatternType;
  principal: string;
  host: '*';
  operation: AclOperationName;
  permission: 'ALLOW';
  /** What the process does with it, for the person granting it. */
  why: string;
}

/** Every ACL one mesh process needs to run as its own principal, and the topics it expects to find. */
export interface AclPlan {
  /** What it is for: `agent ocr`, `coordinator mesh-coordinator`. */
  subject: string;
  principal: string;
  bindings: PlannedAcl[];
  /** Topics it reads or writes but is not granted to create: an administrator creates them before it starts. */
  topicsToCreateFirst: string[];
}

/** A plan that cannot be made (a principal that is not `Type:name`); the message says what to fix. */
export class AclPlanError extends Error {
  override readonly name = 'AclPlanError';
}

/** Kafka's principal form: `User:alice`. */
export function checkPrincipal(principal: string): string {
  if (!/^[^:\s]+:\S.*$/.test(principal)) throw new AclPlanError(`principal '${principal}' is not Type:name (e.g. User:ocr)`);
  return principal;
}

/** Gathers a plan's bindings without repeats, in the order first asked for. */
export class AclPlanBuilder {
  private readonly bindings = new Map<string, PlannedAcl>();
  private readonly expected = new Set<string>();

  constructor(
    private readonly subject: string,
    private readonly principal: string,
  ) {
    checkPrincipal(principal);
  }

  allow(resourceType: AclResourceType, names: readonly string[], operations: readonly AclOperationName[], why: string, patternType: AclPatternType = 'LITERAL'): this {
    for (const resourceName of names) {
      for (const operation of operations) {
        const id = `${resourceType}\u0000${patternType}\u0000${resourceName}\u0000${operation}`;
        if (!this.bindings.has(id)) this.bindings.set(id, { resourceType, resourceName, patternType, principal: this.principal, host: '*', operation, permission: 'ALLOW', why });
      }
    }
    return this;
  }

  /** Topics the process needs and does not create. */
  expect(topics: readonly string[]): this {
    for (const t of topics) this.expected.add(t);
    return this;
  }

  build(): AclPlan {
    const creatable = new Set([...this.bindings.values()].filter((b) => b.resourceType === 'TOPIC' && b.operation === 'CREATE').map((b) => b.resourceName));
    return { subject: this.subject, principal: this.principal, bindings: [...this.bindings.values()], topicsToCreateFirst: [...this.expected].filter((t) => !creatable.has(t)) };
  }
}
