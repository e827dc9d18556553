import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  copyCheckpoint,
  getCheckpointId,
  maxChannelVersion,
  TASKS,
  WRITES_IDX_MAP,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import { createRedisConnection, RedisSession, type RedisConnectionOptions } from '@agentmesh/runtime/internal';
import { StoreCommandError, type WriteFence } from '@agentmesh/runtime';
import type Redis from 'ioredis';
import pino, { type Logger } from 'pino';
import { metadataMatches } from '../store/filter';
import { blobField, DEFAULT_LANGGRAPH_KEY_PREFIX, namespaceField, namespacesOf, THREAD_ID_FIELD, threadHashPattern, threadKeys, writeField, type ThreadKeys } from '../store/keys';
import {
  decodeBlobRecord,
  decodeCheckpointRecord,
  decodeWriteRecord,
  encodeRecord,
  serializedValue,
  valueBytes,
  type CheckpointBody,
  type RecordIdentity,
  type RecordRejectionReason,
} from '../store/record';
import { orderWrites, writeIndexOf, type StoredWrite } from '../store/write-order';
import { FENCED_WRITES_SCRIPT, fencedWritesCall, type WriteOp } from '../store/writes';
import { CheckpointConfigError } from './errors';
import type { IntegrityFailure } from './integrity';

export interface MeshCheckpointSaverOptions extends RedisConnectionOptions {
  /** Default `mesh:lg`; a thread's keys are `<prefix>:{<thread id>}:...`. */
  keyPrefix?: string;
  /** When set, a thread's keys expire this long after their last write; unset, they live until deleteThread. */
  ttlMs?: number;
  /** Where skipped (corrupt) records are reported; default a pino logger named `mesh-langgraph`. */
  logger?: Logger;
  /** Called for each record skipped because it failed its checks, besides the log line. */
  onIntegrityFailure?: (failure: IntegrityFailure) => void;
  /** LangGraph's serializer; default its JSON+ serializer. */
  serde?: SerializerProtocol;
}

/** Either a Redis URL (the saver opens and closes its own connection) or a connection it shares and leaves open. */
export type MeshCheckpointSaverTarget = { url: string } | { redis: Redis };

const PAGE = 100;

interface ThreadScope {
  threadId: string;
  namespace: string;
}

/**
 * LangGraph.js's checkpointer on the mesh's Redis: every checkpoint and pending write is one record
 * with a SHA-256 of its body, checked on read. A corrupt checkpoint is skipped for the newest intact
 * one (a graph resumes a step earlier rather than failing), and reported.
 */
export class MeshCheckpointSaver extends BaseCheckpointSaver {
  private readonly redis: Redis;
  private readonly session: RedisSession;
  private readonly prefix: string;
  private readonly ttlMs: number | undefined;
  private readonly logger: Logger;
  private readonly onIntegrityFailure: ((failure: IntegrityFailure) => void) | undefined;

  constructor(target: MeshCheckpointSaverTarget, options: MeshCheckpointSaverOptions = {}) {
    super(options.serde);
    if (options.ttlMs !== undefined && (!Number.isInteger(options.ttlMs) || options.ttlMs <= 0)) {
      throw new RangeError(`ttlMs must be a positive integer of milliseconds, got ${options.ttlMs}`);
    }
    this.logger = options.logger ?? pino({ name: 'mesh-langgraph' });
    const owns = 'url' in target;
    this.redis = owns ? createRedisConnection(target.url, 'checkpoint', this.logger, options) : target.redis;
    this.session = new RedisSession(this.redis, 'checkpoint', owns, options.connectTimeoutMs);
    this.prefix = options.keyPrefix ?? DEFAULT_LANGGRAPH_KEY_PREFIX;
    this.ttlMs = options.ttlMs;
    this.onIntegrityFailure = options.onIntegrityFailure;
  }

  /** The keys of one thread, for tools and tests that look at what is stored. */
  keysOf(threadId: string): ThreadKeys {
    return threadKeys(threadId, this.prefix);
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = stringField(config, 'thread_id');
    if (threadId === undefined) return undefined;
    const namespace = stringField(config, 'checkpoint_ns') ?? '';
    const checkpointId = getCheckpointId(config);
    const scope = { threadId, namespace };
    if (checkpointId) return this.readTuple(scope, checkpointId);
    for await (const tuple of this.tuplesOf(scope, undefined, undefined)) return tuple;
    return undefined;
  }

  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { before, filter } = options;
    let remaining = options.limit;
    if (remaining !== undefined && remaining <= 0) return;
    const wanted = stringField(config, 'thread_id');
    const wantedNamespace = stringField(config, 'checkpoint_ns');
    const wantedId = stringField(config, 'checkpoint_id');
    const beforeId = before ? stringField(before, 'checkpoint_id') : undefined;
    const threadIds = wanted !== undefined ? [wanted] : await this.allThreadIds();
    for (const threadId of threadIds) {
      const namespaces = wantedNamespace !== undefined ? [wantedNamespace] : namespacesOf(await this.call('list', () => this.redis.hgetall(this.keysOf(threadId).thread)));
      for (const namespace of namespaces) {
        for await (const tuple of this.tuplesOf({ threadId, namespace }, beforeId, wantedId)) {
          if (!metadataMatches(tuple.metadata, filter as Record<string, unknown> | undefined)) continue;
          yield tuple;
          if (remaining !== undefined && --remaining <= 0) return;
        }
      }
    }
  }

  async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    const threadId = stringField(config, 'thread_id');
    if (threadId === undefined) throw new CheckpointConfigError('cannot save a checkpoint: config.configurable.thread_id is missing');
    const namespace = stringField(config, 'checkpoint_ns') ?? '';
    const parent = stringField(config, 'checkpoint_id');
    // Channel values are stored once per (channel, version), as newVersions names them; the checkpoint
    // keeps only their versions, so a step does not write again what it did not change.
    const { channel_values: values, ...rest } = copyCheckpoint(checkpoint);
    const changed = Object.entries(newVersions).filter(([channel]) => Object.prototype.hasOwnProperty.call(values, channel));
    const blobs = await Promise.all(
      changed.map(async ([channel, version]) => {
        const field = blobField(channel, version);
        const value = serializedValue(await this.serde.dumpsTyped((values as Record<string, unknown>)[channel]));
        return { field, record: encodeRecord({ identity: { threadId, namespace, blob: field }, value }) };
      }),
    );
    const [serializedCheckpoint, serializedMetadata] = await Promise.all([this.serde.dumpsTyped({ ...rest, channel_values: {} }), this.serde.dumpsTyped(metadata)]);
    const body: CheckpointBody = {
      identity: { threadId, namespace, checkpointId: checkpoint.id },
      parentCheckpointId: parent ?? null,
      checkpoint: serializedValue(serializedCheckpoint),
      metadata: serializedValue(serializedMetadata),
    };
    const keys = this.keysOf(threadId);
    const ops: WriteOp[] = [
      { command: 'HSET', key: keys.checkpoints(namespace), args: [checkpoint.id, encodeRecord(body)] },
      { command: 'ZADD', key: keys.index(namespace), args: ['0', checkpoint.id] },
      { command: 'HSET', key: keys.thread, args: [THREAD_ID_FIELD, threadId, namespaceField(namespace), '1'] },
      ...blobs.map(({ field, record }): WriteOp => ({ command: 'HSET', key: keys.blobs(namespace), args: [field, record] })),
    ];
    if (this.ttlMs !== undefined) {
      const expiring = [keys.checkpoints(namespace), keys.index(namespace), keys.blobs(namespace), keys.thread];
      ops.push(...expiring.map((key): WriteOp => ({ command: 'PEXPIRE', key, args: [String(this.ttlMs)] })));
    }
    await this.write('put', config, ops);
    return { configurable: { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: checkpoint.id } };
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    const threadId = stringField(config, 'thread_id');
    const checkpointId = stringField(config, 'checkpoint_id');
    if (threadId === undefined) throw new CheckpointConfigError('cannot save writes: config.configurable.thread_id is missing');
    if (checkpointId === undefined) throw new CheckpointConfigError('cannot save writes: config.configurable.checkpoint_id is missing');
    if (writes.length === 0) return;
    const namespace = stringField(config, 'checkpoint_ns') ?? '';
    const key = this.keysOf(threadId).writes(namespace, checkpointId);
    const records = await Promise.all(
      writes.map(async ([channel, value], position) => {
        // Special channels (errors, interrupts) have fixed negative indices and replace what was there;
        // a regular write is kept as first written, so a task that runs again does not change its outputs.
        const idx = WRITES_IDX_MAP[channel] ?? position;
        const field = writeField(taskId, idx);
        const identity: RecordIdentity = { threadId, namespace, checkpointId, write: field };
        const record = encodeRecord({ identity, taskId, channel, taskPath: taskPath ?? '', value: serializedValue(await this.serde.dumpsTyped(value)) });
        return { field, record, replaces: idx < 0 };
      }),
    );
    const ops = records.map(({ field, record, replaces }): WriteOp => ({ command: replaces ? 'HSET' : 'HSETNX', key, args: [field, record] }));
    if (this.ttlMs !== undefined) ops.push({ command: 'PEXPIRE', key, args: [String(this.ttlMs)] });
    await this.write('putWrites', config, ops);
  }

  async deleteThread(threadId: string): Promise<void> {
    const keys = this.keysOf(threadId);
    const namespaces = namespacesOf(await this.call('deleteThread', () => this.redis.hgetall(keys.thread)));
    const doomed = [keys.thread];
    for (const namespace of namespaces) {
      const ids = await this.call('deleteThread', () => this.redis.zrange(keys.index(namespace), 0, -1));
      doomed.push(keys.checkpoints(namespace), keys.index(namespace), keys.blobs(namespace), ...ids.map((id) => keys.writes(namespace, id)));
    }
    await this.call('deleteThread', () => this.redis.del(...doomed));
  }

  /** Closes the connection when the saver opened it; a shared one is left to its owner. */
  close(): Promise<void> {
    return this.session.close();
  }

  /** Intact checkpoints of one namespace, newest first, optionally below `beforeId` or only `onlyId`. */
  private async *tuplesOf(scope: ThreadScope, beforeId: string | undefined, onlyId: string | undefined): AsyncGenerator<CheckpointTuple> {
    if (onlyId !== undefined) {
      if (beforeId !== undefined && onlyId >= beforeId) return;
      const tuple = await this.readTuple(scope, onlyId);
      if (tuple) yield tuple;
      return;
    }
    const index = this.keysOf(scope.threadId).index(scope.namespace);
    let upper = beforeId !== undefined ? `(${beforeId}` : '+';
    for (;;) {
      const ids = await this.call('list', () => this.redis.zrevrangebylex(index, upper, '-', 'LIMIT', 0, PAGE));
      for (const id of ids) {
        const tuple = await this.readTuple(scope, id);
        if (tuple) yield tuple;
      }
      if (ids.length < PAGE) return;
      upper = `(${ids[ids.length - 1]}`;
    }
  }

  private async readTuple(scope: ThreadScope, checkpointId: string): Promise<CheckpointTuple | undefined> {
    const keys = this.keysOf(scope.threadId);
    const [text, writeFields] = await Promise.all([
      this.call('getTuple', () => this.redis.hget(keys.checkpoints(scope.namespace), checkpointId)),
      this.call('getTuple', () => this.redis.hgetall(keys.writes(scope.namespace, checkpointId))),
    ]);
    if (text === null) return undefined;
    const identity: RecordIdentity = { ...scope, checkpointId };
    const decoded = decodeCheckpointRecord(text, identity);
    if (!decoded.ok) {
      this.report(identity, decoded.reason);
      return undefined;
    }
    const body = decoded.body;
    const [checkpoint, metadata, pendingWrites] = await Promise.all([
      this.serde.loadsTyped(body.checkpoint.type, valueBytes(body.checkpoint)) as Promise<Checkpoint>,
      this.serde.loadsTyped(body.metadata.type, valueBytes(body.metadata)) as Promise<CheckpointMetadata>,
      this.pendingWrites(identity, writeFields),
    ]);
    const values = await this.channelValues(scope, checkpoint.channel_versions);
    if (values === undefined) {
      // A lost channel value makes the checkpoint unusable: an older one is resumed from instead.
      this.report(identity, 'incomplete');
      return undefined;
    }
    checkpoint.channel_values = values;
    if (checkpoint.v < 4 && body.parentCheckpointId !== null) await this.migratePendingSends(scope, checkpoint, body.parentCheckpointId);
    const tuple: CheckpointTuple = {
      config: { configurable: { thread_id: scope.threadId, checkpoint_ns: scope.namespace, checkpoint_id: checkpointId } },
      checkpoint,
      metadata,
      pendingWrites,
    };
    if (body.parentCheckpointId !== null) {
      tuple.parentConfig = { configurable: { thread_id: scope.threadId, checkpoint_ns: scope.namespace, checkpoint_id: body.parentCheckpointId } };
    }
    return tuple;
  }

  /** The values a checkpoint's channel versions name; undefined when one of them failed its check. */
  private async channelValues(scope: ThreadScope, versions: Checkpoint['channel_versions']): Promise<Record<string, unknown> | undefined> {
    const wanted = Object.entries(versions ?? {}).map(([channel, version]) => ({ channel, field: blobField(channel, version) }));
    if (wanted.length === 0) return {};
    const key = this.keysOf(scope.threadId).blobs(scope.namespace);
    const texts = await this.call('getTuple', () => this.redis.hmget(key, ...wanted.map((w) => w.field)));
    const values: Record<string, unknown> = {};
    let intact = true;
    for (const [i, { channel, field }] of wanted.entries()) {
      const text = texts[i];
      if (text === null || text === undefined) continue; // a channel with a version and no value (cleared, or never written)
      const identity: RecordIdentity = { ...scope, blob: field };
      const decoded = decodeBlobRecord(text, identity);
      if (!decoded.ok) {
        this.report(identity, decoded.reason);
        intact = false;
        continue;
      }
      values[channel] = (await this.serde.loadsTyped(decoded.body.value.type, valueBytes(decoded.body.value))) as unknown;
    }
    return intact ? values : undefined;
  }

  /** Checkpoints older than format 4 kept sends as their parent's pending writes to TASKS; newer ones keep them in a channel. */
  private async migratePendingSends(scope: ThreadScope, checkpoint: Checkpoint, parentId: string): Promise<void> {
    const fields = await this.call('getTuple', () => this.redis.hgetall(this.keysOf(scope.threadId).writes(scope.namespace, parentId)));
    const writes = await this.pendingWrites({ ...scope, checkpointId: parentId }, fields);
    const values = checkpoint.channel_values as Record<string, unknown>;
    const versions = checkpoint.channel_versions as Record<string, number | string>;
    values[TASKS] = writes.filter(([, channel]) => channel === TASKS).map(([, , value]) => value);
    const existing = Object.values(versions);
    versions[TASKS] = existing.length > 0 ? maxChannelVersion(...existing) : this.getNextVersion(undefined);
  }

  private async pendingWrites(checkpoint: RecordIdentity, fields: Record<string, string>): Promise<CheckpointPendingWrite[]> {
    const intact: StoredWrite[] = [];
    for (const [field, text] of Object.entries(fields)) {
      const identity: RecordIdentity = { ...checkpoint, write: field };
      const idx = writeIndexOf(field);
      const decoded = decodeWriteRecord(text, identity);
      if (idx === undefined || !decoded.ok) {
        // The task whose write is lost runs again on resume: at least once, never a wrong value.
        this.report(identity, decoded.ok ? 'unreadable' : decoded.reason);
        continue;
      }
      intact.push({ idx, body: decoded.body });
    }
    return Promise.all(
      orderWrites(intact).map(async ({ body }): Promise<CheckpointPendingWrite> => [body.taskId, body.channel, (await this.serde.loadsTyped(body.value.type, valueBytes(body.value))) as unknown]),
    );
  }

  private async allThreadIds(): Promise<string[]> {
    const ids: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.call('list', () => this.redis.scan(cursor, 'MATCH', threadHashPattern(this.prefix), 'COUNT', 500));
      cursor = next;
      for (const key of keys) {
        const id = await this.call('list', () => this.redis.hget(key, THREAD_ID_FIELD));
        if (id !== null) ids.push(id);
      }
    } while (cursor !== '0');
    return [...new Set(ids)].sort();
  }

  private report(identity: RecordIdentity, reason: RecordRejectionReason): void {
    const failure: IntegrityFailure = { ...identity, reason };
    const what = identity.write !== undefined ? 'pending write' : identity.blob !== undefined ? 'channel value' : 'checkpoint';
    this.logger.warn({ ...failure }, `langgraph ${what} failed its integrity check (${reason}); skipped`);
    this.onIntegrityFailure?.(failure);
  }

  /**
   * One call's writes, together. Under a one-active agent's fence (`configurable.mesh_fence`, the handler's
   * ctx.fence) an instance that lost its lease is refused (FencedError) before and, atomically, at the write.
   */
  private async write(operation: string, config: RunnableConfig, ops: readonly WriteOp[]): Promise<void> {
    const writeFence = fenceOf(config);
    writeFence?.assertLive();
    const fence = writeFence?.fence();
    if (fence) {
      const call = fencedWritesCall(ops, fence.leaseKey, fence.holder);
      await this.call(operation, () => FENCED_WRITES_SCRIPT.run(this.redis, call.keys, call.args));
      return;
    }
    const tx = this.redis.multi();
    for (const op of ops) tx.call(op.command, [op.key, ...op.args]);
    await this.exec(operation, tx);
  }

  private async exec(operation: string, tx: ReturnType<Redis['multi']>): Promise<void> {
    const replies = await this.call(operation, () => tx.exec());
    if (replies === null) throw new StoreCommandError('checkpoint', `${operation}: the transaction was discarded`);
    const failed = replies.find(([error]) => error !== null);
    if (failed) throw new StoreCommandError('checkpoint', `${operation}: redis replied ${failed[0]?.message ?? 'an error'}`);
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return this.session.call(`langgraph ${operation}`, run);
  }
}

/** The configurable key a handler puts its ctx.fence under: `{ configurable: { thread_id, mesh_fence: ctx.fence } }`. */
export const MESH_FENCE_KEY = 'mesh_fence';

/** The write fence a call carries, if any; something else under the key is a configuration error. */
function fenceOf(config: RunnableConfig): WriteFence | undefined {
  const value: unknown = config.configurable?.[MESH_FENCE_KEY];
  if (value === undefined || value === null) return undefined;
  const candidate = value as Partial<WriteFence>;
  if (typeof candidate.assertLive !== 'function' || typeof candidate.fence !== 'function') {
    throw new CheckpointConfigError(`config.configurable.${MESH_FENCE_KEY} must be the handler's ctx.fence (with assertLive() and fence())`);
  }
  return candidate as WriteFence;
}

function stringField(config: RunnableConfig, name: string): string | undefined {
  const value: unknown = config.configurable?.[name];
  return typeof value === 'string' ? value : undefined;
}
