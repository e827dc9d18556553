import type { Logger } from 'pino';
import type { EventCodec } from '@agentmesh/runtime';
import { TestMeshError } from '../errors';

/**
 * How time runs for the agents a test mesh starts. `real`: the wall clock. `manual`: virtual, moved only by
 * `mesh.clock.advance()`. `auto`: virtual, and every wait of the mesh skips ahead to the next due timer
 * whenever the mesh has nothing else to do (retry tiers minutes apart pass in milliseconds).
 */
export type ClockMode = 'real' | 'manual' | 'auto';

/** A redis:// or rediss:// URL (any string is accepted by the type, so one from the environment can be passed; others are refused at start). */
// `string & {}` keeps 'auto' and 'memory' offered by editors beside any string.
export type RedisUrl = string & {};

export interface TestMeshOptions {
  /** A contracts directory (`topics.json` + .avsc) to register; default the mesh's own; false registers none. */
  contracts?: string | false;
  /** `auto` (default): $REDIS_URL when set, else the in-process stores; `memory`; or a redis:// URL. */
  redis?: 'auto' | 'memory' | RedisUrl;
  /** Default `real`. */
  clock?: ClockMode;
  /** Where the virtual clock starts (epoch ms); default now. */
  startAt?: number;
  /** Values on the wire: `json` (default), `registry` (Avro through the embedded registry), or a codec of your own. */
  codec?: 'json' | 'registry' | EventCodec;
  /** Jitter of retry delays; default Math.random. */
  random?: () => number;
  /** Default silent (or $TEST_LOG_LEVEL). */
  logger?: Logger;
  /** Partitions of the topics the mesh creates. Default 1. */
  defaultPartitions?: number;
  /** Real time a wait allows unless told otherwise. Default 10 s. */
  waitTimeoutMs?: number;
}

/** The Redis URL to use, or undefined for the in-process stores. */
export function resolveRedis(redis: TestMeshOptions['redis'], env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (redis === undefined || redis === 'auto') return env.REDIS_URL?.trim() || undefined;
  if (redis === 'memory') return undefined;
  if (/^rediss?:\/\//.test(redis)) return redis;
  throw new TestMeshError(`redis: expected 'auto', 'memory' or a redis:// URL, got '${redis}'`);
}

export function resolveClockMode(clock: TestMeshOptions['clock']): ClockMode {
  if (clock === undefined) return 'real';
  if (clock === 'real' || clock === 'manual' || clock === 'auto') return clock;
  throw new TestMeshError(`clock: expected 'real', 'manual' or 'auto', got '${String(clock)}'`);
}
