import { dirname, join } from 'node:path';
import { groupMessagesPerPartition } from './partition-grouping';
import { createDefaultPartitioner } from './partitioner';
import { fastProduceRequestV3, type ProduceRequestV3 } from './produce-request';
import { fastRecordDecoder, fastRecordEncoder, type EncoderClass, type RecordDecoder, type RecordEncoder } from './record-codec';
import { fastRequestFrame, type CreateRequest } from './request-frame';

/**
 * Puts our versions of six kafkajs hot paths in place of kafkajs's own: the record encoder and
 * decoder (record-codec.ts), the producer's grouping of messages by partition
 * (partition-grouping.ts), its default partitioner (partitioner.ts), the produce request's
 * encoding (produce-request.ts) and the framing of every request (request-frame.ts).
 *
 * Why: kafkajs 2.2.4 (its last release) encodes every header of every record with a fresh zeroed
 * 512-byte encoder and a Buffer per varint, decodes headers by copying the headers object once per
 * header, groups a send's messages by copying each partition's array once per message, hashes
 * every key with a 64-bit Long object per arithmetic step, and copies
 * every byte of a produce request about five times (checksumming it a byte at a time) and twice
 * more when framing it. The mesh
 * puts four headers on every record (docs/architecture.md) and sends batches of hundreds; in the pipeline
 * benchmark these paths took over a quarter of a worker's CPU.
 *
 * How: kafkajs requires these modules through Node's module cache; replacing a cached module's
 * exports before the module that binds it is loaded is enough. The record codecs and the produce
 * request are bound lazily (on the first produce and the first fetch), the grouping, the
 * partitioner and the framing when kafkajs itself is first required, so the runtime installs on load (index.ts) and again, for the codecs and
 * the produce request, when a worker or the coordinator starts. Each part is installed only for the
 * kafkajs version it was checked against (same bytes, same results: see the tests beside each), and
 * only while its binder is not loaded; otherwise kafkajs keeps its own and nothing changes but
 * speed. MESH_KAFKAJS=stock turns it off.
 */
export type InstallStatus = 'installed' | 'disabled' | 'unsupported-kafkajs' | 'too-late' | 'no-module-cache';

export interface FastKafkajsStatus {
  recordCodecs: InstallStatus;
  partitionGrouping: InstallStatus;
  partitioner: InstallStatus;
  produceRequest: InstallStatus;
  requestFrame: InstallStatus;
}

const SUPPORTED_KAFKAJS = '2.2.4';

interface Part {
  /** The module whose exports are replaced. */
  file: string;
  /** The modules that bind it when they load: once one is loaded, replacing it changes nothing. */
  binders: string[];
  replace(original: unknown, load: (file: string) => unknown): unknown;
}

const PARTS: Record<keyof FastKafkajsStatus, Part[]> = {
  recordCodecs: [
    {
      file: 'src/protocol/recordBatch/record/v0/index.js',
      binders: ['src/protocol/requests/produce/v3/request.js'],
      replace: (original, load) => fastRecordEncoder(original as RecordEncoder, load('src/protocol/encoder.js') as EncoderClass),
    },
    {
      file: 'src/protocol/recordBatch/record/v0/decoder.js',
      binders: ['src/protocol/recordBatch/v0/decoder.js'],
      replace: (original) => fastRecordDecoder(original as RecordDecoder),
    },
  ],
  partitionGrouping: [
    {
      file: 'src/producer/groupMessagesPerPartition.js',
      binders: ['src/producer/sendMessages.js'],
      replace: () => groupMessagesPerPartition,
    },
  ],
  partitioner: [
    {
      // Partitioners.DefaultPartitioner, which every producer uses unless given another.
      file: 'src/producer/partitioners/default/index.js',
      binders: ['src/producer/partitioners/index.js'],
      replace: () => createDefaultPartitioner,
    },
  ],
  // After recordCodecs (installed in this order): loading v3's module binds the record encoder, which
  // its own encode still uses for what the one-pass encode hands back to it.
  produceRequest: [
    {
      file: 'src/protocol/requests/produce/v3/request.js',
      // produce/index.js requires each version's module when a request of that version is made, through
      // the module cache, so it always finds the current exports: not a binder. v4 and v5 bind v3 when
      // they load; v6 and v7 bind it only through v5 (v6 requires v5, v7 v6), so never without v5 loaded.
      binders: ['src/protocol/requests/produce/v4/request.js', 'src/protocol/requests/produce/v5/request.js'],
      replace: (original, load) => fastProduceRequestV3(original as ProduceRequestV3, load('src/protocol/encoder.js') as EncoderClass),
    },
  ],
  requestFrame: [
    {
      file: 'src/protocol/request.js',
      binders: ['src/network/connection.js'],
      replace: (original, load) => fastRequestFrame(original as CreateRequest, load('src/protocol/encoder.js') as EncoderClass),
    },
  ],
};

const status: FastKafkajsStatus = { recordCodecs: 'no-module-cache', partitionGrouping: 'no-module-cache', partitioner: 'no-module-cache', produceRequest: 'no-module-cache', requestFrame: 'no-module-cache' };

/** Installs what can still be installed; idempotent. Returns where each part stands. */
export function installFastKafkajs(env: Readonly<Record<string, string | undefined>> = process.env): FastKafkajsStatus {
  for (const part of Object.keys(PARTS) as Array<keyof FastKafkajsStatus>) {
    if (status[part] !== 'installed') status[part] = install(PARTS[part], env);
  }
  return { ...status };
}

function install(parts: Part[], env: Readonly<Record<string, string | undefined>>): InstallStatus {
  if (env.MESH_KAFKAJS?.trim().toLowerCase() === 'stock') return 'disabled';
  // Under test runners with their own module registry (jest) there is no Node module cache to use.
  if (typeof require === 'undefined' || !require.cache || typeof require.resolve !== 'function') return 'no-module-cache';
  let root: string;
  try {
    const manifest = require.resolve('kafkajs/package.json');
    if ((require(manifest) as { version?: string }).version !== SUPPORTED_KAFKAJS) return 'unsupported-kafkajs';
    root = dirname(manifest);
  } catch {
    return 'unsupported-kafkajs';
  }
  const at = (file: string) => join(root, file);
  if (parts.some((part) => part.binders.some((file) => require.cache[at(file)] !== undefined))) return 'too-late';
  const load = (file: string): unknown => require(at(file));
  const modules = parts.map((part) => {
    load(part.file);
    return require.cache[at(part.file)];
  });
  if (modules.some((m) => m === undefined)) return 'no-module-cache';
  parts.forEach((part, i) => {
    const cached = modules[i]!;
    cached.exports = part.replace(cached.exports, load);
  });
  return 'installed';
}
