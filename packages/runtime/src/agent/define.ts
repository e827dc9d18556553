import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../failure/decide';
import { AgentDefinitionError } from '../failure/errors';
import type { Agent, AgentDefinition } from './types';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,100}$/;
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * Checks an agent definition and fills in defaults. Mistakes are reported
 * here, at start-up, not when the first event fails.
 */
export function defineAgent<In = unknown, Out = unknown>(def: AgentDefinition<In, Out>): Agent<In, Out> {
  const problems: string[] = [];
  if (!NAME.test(def.name)) problems.push(`name '${def.name}' must be 1-101 of [a-zA-Z0-9_-] (it prefixes topic names)`);
  if (!Array.isArray(def.consumes) || def.consumes.length === 0) problems.push('consumes must name at least one topic');
  for (const t of [...(def.consumes ?? []), ...(def.produces ?? [])]) if (!TOPIC.test(t)) problems.push(`'${t}' is not a legal topic name`);
  if (typeof def.handle !== 'function') problems.push('handle must be a function');
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...def.retry };
  if (!retry.delaysMs.every((d) => Number.isFinite(d) && d >= 0)) problems.push('retry.delaysMs must be non-negative numbers');
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) problems.push('retry.maxAttempts must be a whole number >= 1');
  if (!(retry.jitter >= 0 && retry.jitter <= 1)) problems.push('retry.jitter must be between 0 and 1');
  const timeoutMs = def.timeoutMs ?? 30_000;
  if (!(timeoutMs > 0)) problems.push('timeoutMs must be positive');
  const concurrency = def.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) problems.push('concurrency must be a whole number >= 1');
  const ordering = def.ordering ?? 'none';
  if (ordering !== 'none' && ordering !== 'key') problems.push(`ordering must be 'none' or 'key'`);
  const instances = def.instances ?? 'all-active';
  if (instances !== 'all-active' && instances !== 'one-active') problems.push(`instances must be 'all-active' or 'one-active'`);
  const critical = def.critical ?? true;
  if (!critical && typeof def.fallback !== 'function') problems.push('a non-critical agent (critical: false) needs a fallback');
  const alternatives = def.outputs?.alternatives ?? [];
  if (def.outputs?.validate !== undefined && typeof def.outputs.validate !== 'function') problems.push('outputs.validate must be a function');
  const altNames = new Set<string>(['handler']);
  for (const [i, alt] of alternatives.entries()) {
    if (typeof alt?.name !== 'string' || alt.name.length === 0 || altNames.has(alt.name)) problems.push(`outputs.alternatives[${i}] needs a name of its own (not 'handler')`);
    else altNames.add(alt.name);
    if (typeof alt?.handle !== 'function') problems.push(`outputs.alternatives[${i}] needs a handle function`);
  }
  if (problems.length > 0) throw new AgentDefinitionError(`agent '${def.name}': ${problems.join('; ')}`);
  return Object.freeze({
    name: def.name,
    consumes: Object.freeze([...def.consumes]),
    produces: Object.freeze([...(def.produces ?? [])]),
    critical,
    retry,
    timeoutMs,
    concurrency,
    ordering,
    instances,
    classify: def.classify,
    breakers: Object.freeze({ ...def.breakers }),
    outputs: def.outputs ? Object.freeze({ ...def.outputs, alternatives: Object.freeze([...alternatives]) }) : undefined,
    // The worker calls these as methods of the agent, which has every field of the definition (defaults
    // filled in): a `this` in them finds what it would have found on the definition.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- see above
    handle: def.handle,
    // eslint-disable-next-line @typescript-eslint/unbound-method -- see above
    fallback: def.fallback,
  });
}
