import { seeded } from '../../../test/support/seeded';
import { stockKafkajs } from '../test/stock-kafkajs';
import { createDefaultPartitioner, keyHash, type Partitioner, type PartitionerArgs } from './partitioner';

// kafkajs's own, the reference: ours must give the same hash and the same partition.
/* eslint-disable @typescript-eslint/no-require-imports */
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: unknown) => number;
/* eslint-enable @typescript-eslint/no-require-imports */
const kafkajsDefault = stockKafkajs<() => Partitioner>('src/producer/partitioners/default/index.js');

const TEXTS = ['', 'a', 'ab', 'abc', 'abcd', 'inv-000123', 'héllo wörld', '日本語のキー', '🙂 emoji', '\ud800 lone', 'x'.repeat(301)];

function randomKey(rnd: () => number): unknown {
  const roll = rnd();
  if (roll < 0.3) return TEXTS[Math.floor(rnd() * TEXTS.length)]! + String(Math.floor(rnd() * 1e6));
  if (roll < 0.6) return Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)));
  if (roll < 0.8) return Array.from({ length: Math.floor(rnd() * 40) }, () => String.fromCharCode(32 + Math.floor(rnd() * 95))).join('');
  if (roll < 0.9) return Math.floor((rnd() - 0.5) * 1e9);
  return String.fromCodePoint(...Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => Math.floor(rnd() * 0x10ffff) & ~0x800));
}

describe('keyHash', () => {
  it('is the murmur2 kafkajs computes, over 5,000 random keys of every kind', () => {
    const rnd = seeded(20261122);
    for (let i = 0; i < 5000; i++) {
      const key = randomKey(rnd);
      expect([key, keyHash(key)]).toEqual([key, kafkajsMurmur2(key)]);
    }
  });

  it("matches Kafka's Java client on known keys", () => {
    // The cases of Kafka's own UtilsTest.testMurmur2: the Java client places keys by these values.
    const known: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of known) {
      expect([key, keyHash(key)]).toEqual([key, hash]);
      expect([key, keyHash(Buffer.from(key))]).toEqual([key, hash]);
    }
  });
});

describe('createDefaultPartitioner', () => {
  const metadata = (count: number, leaderless: number[] = []): PartitionerArgs['partitionMetadata'] =>
    Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: leaderless.includes(partitionId) ? -1 : 0 }));

  it('places keyed and addressed messages where kafkajs does', () => {
    const ours = createDefaultPartitioner();
    const theirs = kafkajsDefault();
    const rnd = seeded(7);
    for (let i = 0; i < 2000; i++) {
      const args: PartitionerArgs = {
        topic: `t${i % 3}`,
        partitionMetadata: metadata(1 + Math.floor(rnd() * 12), rnd() < 0.2 ? [0] : []),
        message: rnd() < 0.1 ? { partition: Math.floor(rnd() * 5), key: 'k' } : { key: randomKey(rnd) },
      };
      expect(ours(args)).toBe(theirs(args));
    }
  });

  it('goes round robin over the partitions with a leader when there is no key', () => {
    const partition = createDefaultPartitioner();
    const args = { topic: 't', partitionMetadata: metadata(4, [1]), message: { key: null } };
    const seen = Array.from({ length: 6 }, () => partition(args));
    expect(new Set(seen)).toEqual(new Set([0, 2, 3]));
    // Consecutive calls take consecutive partitions of those available.
    const order = [0, 2, 3];
    for (let i = 1; i < seen.length; i++) expect(order.indexOf(seen[i]!)).toBe((order.indexOf(seen[i - 1]!) + 1) % 3);
  });

  it('still picks a partition when none has a leader', () => {
    const partition = createDefaultPartitioner();
    const picked = partition({ topic: 't', partitionMetadata: metadata(3, [0, 1, 2]), message: {} });
    expect([0, 1, 2]).toContain(picked);
  });
});
