import { randomBytes } from 'node:crypto';

/**
 * kafkajs 2.2.4's DefaultPartitioner (Java-compatible murmur2 on the key, else round robin over
 * partitions with a leader), with the same results, written for speed. See index.ts for why and
 * how it replaces kafkajs's.
 *
 * kafkajs computes murmur2 with a 64-bit Long object per arithmetic step (about 1.6 KB of garbage per
 * keyed message in the pipeline benchmark) and copies the partition list for every message. Every step
 * of the hash only needs the low 32 bits (products and xors of the low halves), so Math.imul gives the
 * same value.
 */

/** What kafkajs hands a partitioner for each message. */
export interface PartitionerArgs {
  topic: string;
  partitionMetadata: ReadonlyArray<{ partitionId: number; leader: number }>;
  message: { partition?: number | null; key?: unknown };
}

export type Partitioner = (args: PartitionerArgs) => number;

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** One 4-byte little-endian word `k` mixed into `h`. */
function mixWord(h: number, k: number): number {
  k = Math.imul(k, M);
  k ^= k >>> 24;
  return Math.imul(h, M) ^ Math.imul(k, M);
}

/** The last one to three bytes (`rest` of them: b0, b1, b2), as the Java original's switch falls through, then the final avalanche. */
function finish(h: number, rest: number, b0: number, b1: number, b2: number): number {
  if (rest === 3) h ^= b2 << 16;
  if (rest >= 2) h ^= b1 << 8;
  if (rest >= 1) h = Math.imul(h ^ b0, M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  return (h ^ (h >>> 15)) | 0;
}

/** Kafka's murmur2 (as its Java client and kafkajs's DefaultPartitioner compute it) of `data`, as a signed 32-bit int. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const whole = length & ~3;
  let h = SEED ^ length;
  for (let i = 0; i < whole; i += 4) h = mixWord(h, data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
  return finish(h, length & 3, data[whole] ?? 0, data[whole + 1] ?? 0, data[whole + 2] ?? 0);
}

/** murmur2 of a string's UTF-8 bytes; ASCII (nearly every key) is hashed without making the bytes. */
function murmur2OfText(text: string): number {
  const length = text.length;
  for (let i = 0; i < length; i++) if (text.charCodeAt(i) >= 0x80) return murmur2(Buffer.from(text));
  const whole = length & ~3;
  let h = SEED ^ length;
  for (let i = 0; i < whole; i += 4) h = mixWord(h, text.charCodeAt(i) | (text.charCodeAt(i + 1) << 8) | (text.charCodeAt(i + 2) << 16) | (text.charCodeAt(i + 3) << 24));
  // charCodeAt past the end is NaN, which the bit operations read as 0.
  return finish(h, length & 3, text.charCodeAt(whole), text.charCodeAt(whole + 1), text.charCodeAt(whole + 2));
}

/** The hash kafkajs's DefaultPartitioner takes of a key: of its bytes, or of String(key)'s UTF-8 bytes. */
export function keyHash(key: unknown): number {
  if (Buffer.isBuffer(key)) return murmur2(key);
  return murmur2OfText(typeof key === 'string' ? key : String(key));
}

const toPositive = (x: number): number => x & 0x7fffffff;

/** A factory like kafkajs's `Partitioners.DefaultPartitioner`: one partitioner per producer, with its own round-robin counters. */
export function createDefaultPartitioner(): Partitioner {
  const counters = new Map<string, number>();
  const next = (topic: string): number => {
    const value = (counters.get(topic) ?? randomBytes(4).readUInt32BE(0)) + 1;
    counters.set(topic, value);
    return toPositive(value);
  };
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const numPartitions = partitionMetadata.length;
    if (message.key !== null && message.key !== undefined) return toPositive(keyHash(message.key)) % numPartitions;
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0) return available[next(topic) % available.length]!.partitionId;
    // No partition has a leader: a partition that has none, as kafkajs does.
    return next(topic) % numPartitions;
  };
}
