import { seeded } from '../../../test/support/seeded';
import { stockKafkajs } from '../test/stock-kafkajs';
import { groupMessagesPerPartition, type PartitionGrouping, type Partitioner } from './partition-grouping';

// kafkajs's own, the reference.
const kafkajsGrouping = stockKafkajs<PartitionGrouping>('src/producer/groupMessagesPerPartition.js');

describe('groupMessagesPerPartition', () => {
  it("is compared with kafkajs's own", () => {
    expect(kafkajsGrouping).not.toBe(groupMessagesPerPartition);
  });

  it('groups as kafkajs does: the same partitions, the same messages in the same order', () => {
    const rnd = seeded(42);
    const byKey: Partitioner = ({ partitionMetadata, message }) => (message as { key: number }).key % partitionMetadata.length;
    for (let round = 0; round < 200; round++) {
      const partitionMetadata = Array.from({ length: 1 + Math.floor(rnd() * 6) }, (_, partitionId) => ({ partitionId }));
      const messages = Array.from({ length: Math.floor(rnd() * 300) }, (_, i) => ({ key: Math.floor(rnd() * 1000), i }));
      const input = { topic: 't', partitionMetadata, messages, partitioner: byKey };
      expect(groupMessagesPerPartition(input)).toEqual(kafkajsGrouping(input));
    }
  });

  it('returns nothing for a topic without partition metadata, as kafkajs does', () => {
    const input = { topic: 't', partitionMetadata: [], messages: [{ key: 1 }], partitioner: () => 0 };
    expect(groupMessagesPerPartition(input)).toEqual({});
    expect(kafkajsGrouping(input)).toEqual({});
  });
});
