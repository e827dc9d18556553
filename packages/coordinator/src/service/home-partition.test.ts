import { Partitioners } from 'kafkajs';
import { homePartitionOf } from './home-partition';

describe('homePartitionOf', () => {
  it("is where kafkajs's default partitioner sends a reply keyed by the saga id", () => {
    const partitioner = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 3, 6, 12]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
      for (let i = 0; i < 200; i++) {
        const id = `saga-${i}`;
        expect(homePartitionOf(id, partitions)).toBe(partitioner({ topic: 'saga.replies', partitionMetadata, message: { key: id, value: null } }));
      }
    }
  });

  it('spreads sagas over the partitions', () => {
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 6_000; i++) counts[homePartitionOf(`signup-acc-${i}`, 6)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(700);
  });
});
