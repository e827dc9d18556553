import type { Crc32c } from './crc32c';
import { isInt, stringBytes, writeString } from './wire';
import { encoderOver, planRecord, writeRecord, type EncoderClass, type EncoderLike, type RecordPlan } from './record-codec';

/**
 * kafkajs 2.2.4's Produce request v3, encoded in one pass into one buffer: the same bytes as
 * kafkajs's own. See index.ts for why and how it replaces kafkajs's.
 *
 * kafkajs copies each partition's messages into new objects, writes every record into its own
 * encoder, writes those into a growing record batch encoder (each growth a zeroed allocation and a
 * copy), checksums the batch a byte at a time, then copies it into a batch, the batch's bytes, the
 * partition, the topic and the request: every byte about five times. Here every record is measured
 * first, the whole request is written into one Buffer.allocUnsafe, and each batch is checksummed
 * where it lies (crc32c.ts: @node-rs/crc32).
 *
 * v4 to v7 are v3 with another apiVersion (kafkajs's v4 and v5 call v3's function, v6 calls v5's,
 * v7 v6's), so replacing v3's module covers every version a broker of Kafka 0.11 or later is sent.
 *
 * Anything this does not handle exactly (compression, a timestamp that is not a safe integer or a
 * decimal string of one, a record kafkajs's own record encoder must write, a field of a type or
 * range kafkajs would coerce or reject) sends the whole request to kafkajs's own encode, so the bytes
 * and the errors outside the fast path stay kafkajs's.
 */

/** The arguments of kafkajs's produce request v3 (and v4 to v7). */
export interface ProduceRequestArgs {
  acks?: unknown;
  timeout?: unknown;
  transactionalId?: unknown;
  producerId?: unknown;
  producerEpoch?: unknown;
  compression?: unknown;
  topicData?: unknown;
}

/** A request as kafkajs's broker sends it. */
export interface ProduceRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  // Arrow functions in kafkajs (closures over the arguments), so they may be called detached.
  expectResponse: () => boolean;
  encode: () => Promise<EncoderLike>;
}

export type ProduceRequestV3 = (args: ProduceRequestArgs) => ProduceRequest;

const COMPRESSION_NONE = 0;
const MAGIC_BYTE = 2;
const TRANSACTIONAL = 16;
/** firstOffset, length, partitionLeaderEpoch, magic, crc: the record batch before its checksummed part. */
const BATCH_HEAD = 8 + 4 + 4 + 1 + 4;
/** attributes, lastOffsetDelta, firstTimestamp, maxTimestamp, producerId, producerEpoch, firstSequence, record count. */
const BATCH_FIELDS = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
/** A partition's bytes before its records: partition id, record set size, then the batch. */
const PARTITION_FIXED = 4 + 4 + BATCH_HEAD + BATCH_FIELDS;
const INT32_MAX = 0x7fffffff;
const DECIMAL = /^-?\d+$/;

/** The produce request v3 of kafkajs (and so v4 to v7), with the one-pass encode in front of its own. */
export function fastProduceRequestV3(original: ProduceRequestV3, Encoder: EncoderClass, crc32c: Crc32c): ProduceRequestV3 {
  return (args) => {
    // kafkajs's own request (same apiKey, apiVersion, apiName, expectResponse, same errors for bad
    // arguments), with its encode kept for what this one does not handle.
    const request = original(args);
    const stock = request.encode;
    // Read now, with kafkajs's defaults, as kafkajs's destructuring does; the topic data is read at encode.
    const { acks, timeout, transactionalId = null, producerId = -1, producerEpoch = 0, compression = COMPRESSION_NONE, topicData } = args;
    const fields: RequestFields = { acks, timeout, transactionalId, producerId, producerEpoch, compression, topicData };
    request.encode = async () => encodeRequest(fields, Encoder, crc32c) ?? stock();
    return request;
  };
}

interface RequestFields {
  acks: unknown;
  timeout: unknown;
  transactionalId: unknown;
  producerId: unknown;
  producerEpoch: unknown;
  compression: unknown;
  topicData: unknown;
}

interface PartitionPlan {
  partition: number;
  firstSequence: number;
  firstTimestamp: number;
  maxTimestamp: number;
  records: RecordPlan[];
  recordsSize: number;
}

interface TopicPlan {
  topic: string;
  topicBytes: number;
  partitions: PartitionPlan[];
}

/** The request's payload as kafkajs's encode writes it, or undefined when kafkajs's own must write it. */
function encodeRequest(fields: RequestFields, Encoder: EncoderClass, crc32c: Crc32c): EncoderLike | undefined {
  const { acks, timeout, transactionalId, producerEpoch, compression, topicData } = fields;
  if (compression !== COMPRESSION_NONE || !isInt(acks, 16) || !isInt(timeout, 32) || !isInt(producerEpoch, 16)) return undefined;
  const transactionalBytes = transactionalId === null ? -1 : stringBytes(transactionalId);
  const producerId = int64Of(fields.producerId);
  if (transactionalBytes === undefined || producerId === undefined || !Array.isArray(topicData)) return undefined;

  // Measure everything first (every Date.now() read where kafkajs reads it: once per partition).
  let size = 2 + Math.max(transactionalBytes, 0) + 2 + 4 + 4;
  const topics: TopicPlan[] = [];
  for (const data of topicData as unknown[]) {
    if (!isObject(data)) return undefined;
    const topic = spread(data, 'topic');
    const partitions = spread(data, 'partitions');
    const topicBytes = stringBytes(topic);
    if (topicBytes === undefined || !Array.isArray(partitions)) return undefined;
    size += 2 + topicBytes + 4;
    const plans: PartitionPlan[] = [];
    for (const partitionData of partitions as unknown[]) {
      const plan = isObject(partitionData) ? planPartition(partitionData) : undefined;
      if (plan === undefined) return undefined;
      size += PARTITION_FIXED + plan.recordsSize;
      plans.push(plan);
    }
    topics.push({ topic: topic as string, topicBytes, partitions: plans });
  }
  // kafkajs's int32 sizes would throw past this.
  if (size > INT32_MAX) return undefined;

  const buf = Buffer.allocUnsafe(size);
  let at = writeString(buf, 0, transactionalId as string | null, transactionalBytes);
  at = buf.writeInt16BE(acks, at);
  at = buf.writeInt32BE(timeout, at);
  at = buf.writeInt32BE(topics.length, at);
  const attributes = transactionalId ? TRANSACTIONAL : 0; // no compression, create-time timestamps
  for (const { topic, topicBytes, partitions } of topics) {
    at = writeString(buf, at, topic, topicBytes);
    at = buf.writeInt32BE(partitions.length, at);
    for (const plan of partitions) {
      const bodySize = BATCH_FIELDS + plan.recordsSize;
      const batchSize = 4 + 1 + 4 + bodySize;
      at = buf.writeInt32BE(plan.partition, at);
      at = buf.writeInt32BE(8 + 4 + batchSize, at);
      at = buf.writeBigInt64BE(0n, at); // firstOffset
      at = buf.writeInt32BE(batchSize, at);
      at = buf.writeInt32BE(0, at); // partitionLeaderEpoch
      at = buf.writeInt8(MAGIC_BYTE, at);
      const crcAt = at;
      const bodyAt = at + 4;
      at = buf.writeInt16BE(attributes, bodyAt);
      at = buf.writeInt32BE(plan.records.length - 1, at); // lastOffsetDelta
      at = buf.writeBigInt64BE(BigInt(plan.firstTimestamp), at);
      at = buf.writeBigInt64BE(BigInt(plan.maxTimestamp), at);
      at = buf.writeBigInt64BE(producerId, at);
      at = buf.writeInt16BE(producerEpoch, at);
      at = buf.writeInt32BE(plan.firstSequence, at);
      at = buf.writeInt32BE(plan.records.length, at);
      for (const record of plan.records) at = writeRecord(buf, at, record);
      buf.writeUInt32BE(crc32c(buf, bodyAt, at), crcAt);
    }
  }
  return encoderOver(Encoder, buf, at);
}

/**
 * A partition's records measured, with kafkajs's timestamps: the messages' own (not null), sorted
 * as strings (kafkajs's default sort), else Date.now(); each record's delta from the first.
 */
function planPartition(data: object): PartitionPlan | undefined {
  const partition = spread(data, 'partition');
  const messages = spread(data, 'messages');
  const sequence = spread(data, 'firstSequence');
  const firstSequence = sequence === undefined ? 0 : sequence; // the record batch's default
  if (!isInt(partition, 32) || !isInt(firstSequence, 32) || !Array.isArray(messages)) return undefined;
  const dateNow = Date.now();

  // Only the first and last of kafkajs's sorted timestamps are used: the least and greatest as
  // strings. Values equal as strings are equal as numbers, so which one of them is taken does not matter.
  let first: string | undefined;
  let max: string | undefined;
  let firstValue = dateNow;
  let maxValue = dateNow;
  for (const message of messages as unknown[]) {
    if (!isObject(message)) return undefined;
    const timestamp = (message as { timestamp?: unknown }).timestamp;
    if (timestamp === null || timestamp === undefined) continue;
    const value = timestampOf(timestamp);
    if (value === undefined) return undefined;
    const text = String(timestamp as number | string); // all timestampOf takes
    if (first === undefined || text < first) [first, firstValue] = [text, value];
    if (max === undefined || text > max) [max, maxValue] = [text, value];
  }

  const records: RecordPlan[] = [];
  let recordsSize = 0;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as object;
    // kafkajs: (message.timestamp || dateNow) - firstTimestamp, its strings read as numbers.
    const timestamp = (message as { timestamp?: unknown }).timestamp;
    const at = timestamp ? (timestampOf(timestamp) as number) : dateNow;
    // kafkajs spreads the message into its record encoder's argument, which defaults headers to {}.
    const headers = spread(message, 'headers');
    const plan = planRecord(i, at - firstValue, spread(message, 'key'), spread(message, 'value'), headers === undefined ? {} : headers);
    if (plan === undefined) return undefined;
    records.push(plan);
    recordsSize += plan.size;
  }
  return { partition, firstSequence, firstTimestamp: firstValue, maxTimestamp: maxValue, records, recordsSize };
}

/** A message timestamp kafkajs handles as the same number everywhere: a safe integer, or a decimal string of one. */
function timestampOf(timestamp: unknown): number | undefined {
  if (typeof timestamp === 'number') return Number.isSafeInteger(timestamp) ? timestamp : undefined;
  if (typeof timestamp !== 'string' || !DECIMAL.test(timestamp)) return undefined;
  const value = Number(timestamp);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * An int64 as kafkajs's Encoder.writeInt64 writes it (through Long.fromValue, then the low 64 bits),
 * for a kafkajs Long, a bigint, a safe integer or a decimal string; else undefined.
 */
function int64Of(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string') return DECIMAL.test(value) ? BigInt.asIntN(64, BigInt(value)) : undefined;
  if (typeof value === 'bigint') return BigInt.asIntN(64, value);
  // kafkajs's Long.isLong: anything whose value is a bigint.
  if (isObject(value) && typeof (value as { value?: unknown }).value === 'bigint') return BigInt.asIntN(64, (value as { value: bigint }).value);
  return undefined;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

// eslint-disable-next-line @typescript-eslint/unbound-method -- always called with .call(source, ...)
const isOwnEnumerable = Object.prototype.propertyIsEnumerable;

/** A field as kafkajs reads it out of an object spread ({...data}): own enumerable properties only. */
function spread(source: object, name: string): unknown {
  return isOwnEnumerable.call(source, name) ? (source as Record<string, unknown>)[name] : undefined;
}
