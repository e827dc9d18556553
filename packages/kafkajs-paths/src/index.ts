import { crc32c } from './crc32c';
import { groupMessagesPerPartition as linearGrouping, type PartitionGrouping } from './partition-grouping';
import { createDefaultPartitioner, type Partitioner } from './partitioner';
import { fastProduceRequestV3, type ProduceRequestV3 } from './produce-request';
import { fastRecordDecoder, fastRecordEncoder, type EncoderClass, type RecordDecoder, type RecordEncoder } from './record-codec';
import { fastRequestFrame, type CreateRequest } from './request-frame';
import { quietRequestQueue, type RequestQueueClass } from './request-queue';

/** Whether kafkajs's request queue has anything a scheduled check could send (the CLI quiets the queue with it too, where no patch applied). */
export { hasPendingWork } from './request-queue';

/**
 * Our versions of six kafkajs 2.2.4 hot paths, and one fix (request-queue.ts: an idle connection's 1 ms timer), byte for byte and result for result the same as
 * kafkajs's own (see the tests beside each): the record encoder and decoder (record-codec.ts), the
 * producer's grouping of messages by partition (partition-grouping.ts), its default partitioner
 * (partitioner.ts), the produce request's encoding (produce-request.ts) and the framing of every
 * request (request-frame.ts).
 *
 * Why: kafkajs 2.2.4 (its last release) encodes every header of every record with a fresh zeroed
 * 512-byte encoder and a Buffer per varint, decodes headers by copying the headers object once per
 * header, groups a send's messages by copying each partition's array once per message, hashes
 * every key with a 64-bit Long object per arithmetic step, and copies every byte of a produce
 * request about five times (checksumming it a byte at a time) and twice more when framing it. The
 * mesh puts four headers on every record and sends batches of hundreds; in the pipeline benchmark
 * these paths took over a quarter of a worker's CPU.
 *
 * How: the repository's kafkajs patch (patches/kafkajs+2.2.4.patch, applied by patch-package on
 * every npm install or npm ci) ends each of those seven kafkajs files with
 *   module.exports = require('@agentmesh/kafkajs-paths').<one of the functions below>(module.exports, ...)
 * so kafkajs takes them in as its own files load, whoever requires kafkajs first. This package
 * does not depend on kafkajs: each function receives kafkajs's original (and kafkajs's Encoder
 * class where it writes bytes) and returns its replacement, or the original unchanged when
 * MESH_KAFKAJS=stock (read as each kafkajs file loads). kafkajs is pinned to 2.2.4, the version the
 * patch and these were checked against; patch-package refuses another.
 */

/**
 * Where one path stands in this process: `in-place`; `stock` (MESH_KAFKAJS=stock); `not-loaded`,
 * kafkajs has not loaded its file yet (the record codecs and the produce request load with the
 * first produce or fetch), or never will where kafkajs is not patched; `no-crc32c-binary`, the
 * produce request left kafkajs's because @node-rs/crc32 has no binary for this platform.
 */
export type KafkajsPathState = 'in-place' | 'stock' | 'not-loaded' | 'no-crc32c-binary';

/** Each path by the function that put it in place (or not). */
export interface KafkajsPathsStatus {
  /** src/protocol/recordBatch/record/v0/index.js */
  recordEncoder: KafkajsPathState;
  /** src/protocol/recordBatch/record/v0/decoder.js */
  recordDecoder: KafkajsPathState;
  /** src/producer/groupMessagesPerPartition.js */
  groupMessagesPerPartition: KafkajsPathState;
  /** src/producer/partitioners/default/index.js: Partitioners.DefaultPartitioner, every producer's unless given another. */
  defaultPartitioner: KafkajsPathState;
  /** src/protocol/requests/produce/v3/request.js, which v4 to v7 call with another apiVersion. */
  produceRequestV3: KafkajsPathState;
  /** src/protocol/request.js */
  requestFrame: KafkajsPathState;
  /** src/network/requestQueue/index.js: a fix, not a speed-up (request-queue.ts). */
  requestQueue: KafkajsPathState;
}

const status: KafkajsPathsStatus = {
  recordEncoder: 'not-loaded',
  recordDecoder: 'not-loaded',
  groupMessagesPerPartition: 'not-loaded',
  defaultPartitioner: 'not-loaded',
  produceRequestV3: 'not-loaded',
  requestFrame: 'not-loaded',
  requestQueue: 'not-loaded',
};

/** Where each path stands in this process (for a log line, and for tests). */
export function kafkajsPathsStatus(): KafkajsPathsStatus {
  return { ...status };
}

function stock(): boolean {
  return process.env.MESH_KAFKAJS?.trim().toLowerCase() === 'stock';
}

/** kafkajs's `original`, or what `replace` makes of it, as MESH_KAFKAJS says; noted in the status. */
function put<T>(path: keyof KafkajsPathsStatus, original: T, replace: () => T): T {
  if (stock()) {
    status[path] = 'stock';
    return original;
  }
  status[path] = 'in-place';
  return replace();
}

export function recordEncoder(original: RecordEncoder, Encoder: EncoderClass): RecordEncoder {
  return put('recordEncoder', original, () => fastRecordEncoder(original, Encoder));
}

export function recordDecoder(original: RecordDecoder): RecordDecoder {
  return put('recordDecoder', original, () => fastRecordDecoder(original));
}

export function groupMessagesPerPartition(original: PartitionGrouping): PartitionGrouping {
  return put('groupMessagesPerPartition', original, () => linearGrouping);
}

/** kafkajs's module exports a factory of partitioners (one per producer), as does ours. */
export function defaultPartitioner(original: () => Partitioner): () => Partitioner {
  return put('defaultPartitioner', original, () => createDefaultPartitioner);
}

export function produceRequestV3(original: ProduceRequestV3, Encoder: EncoderClass): ProduceRequestV3 {
  if (crc32c === undefined && !stock()) {
    status.produceRequestV3 = 'no-crc32c-binary';
    return original;
  }
  return put('produceRequestV3', original, () => fastProduceRequestV3(original, Encoder, crc32c!));
}

export function requestFrame(original: CreateRequest, Encoder: EncoderClass): CreateRequest {
  return put('requestFrame', original, () => fastRequestFrame(original, Encoder));
}

export function requestQueue<C extends RequestQueueClass>(original: C): C {
  return put('requestQueue', original, () => quietRequestQueue(original));
}
