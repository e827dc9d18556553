import { aclMatchesFilter, type AclBinding, type AclFilter } from './acl';
import { authorize, authorizeAnyOfType, type Decision, type Requester } from './authorize';
import type { AclOperation, Resource, ResourceType } from './acl';

const keyOf = (b: AclBinding): string => JSON.stringify([b.resourceType, b.resourceName, b.patternType, b.principal, b.host, b.operation, b.permission]);

/** The broker's ACLs and super users, in one place; decisions go through the pure `authorize`. */
export class AclStore {
  private readonly bindings = new Map<string, AclBinding>();
  readonly superUsers: ReadonlySet<string>;

  constructor(superUsers: Iterable<string> = [], initial: Iterable<AclBinding> = []) {
    this.superUsers = new Set(superUsers);
    for (const b of initial) this.add(b);
  }

  /** Adding a binding that exists already is a no-op, as in Kafka. */
  add(binding: AclBinding): void {
    this.bindings.set(keyOf(binding), { ...binding });
  }

  all(): AclBinding[] {
    return [...this.bindings.values()];
  }

  list(filter: AclFilter): AclBinding[] {
    return [...this.bindings.values()].filter((b) => aclMatchesFilter(b, filter));
  }

  /** Removes and returns the bindings the filter matches. */
  delete(filter: AclFilter): AclBinding[] {
    const matched = this.list(filter);
    for (const b of matched) this.bindings.delete(keyOf(b));
    return matched;
  }

  authorize(who: Requester, operation: AclOperation, resource: Resource): Decision {
    return authorize(who, operation, resource, this.bindings.values(), this.superUsers);
  }

  authorizeAnyOfType(who: Requester, operation: AclOperation, type: ResourceType): Decision {
    return authorizeAnyOfType(who, operation, type, this.bindings.values(), this.superUsers);
  }
}
