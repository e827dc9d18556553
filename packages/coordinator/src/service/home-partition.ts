import { Partitioners, type PartitionMetadata } from 'kafkajs';

const partitioner = Partitioners.DefaultPartitioner();
const metadataByCount = new Map<number, PartitionMetadata[]>();

/**
 * The partition of saga.replies a saga's replies land on: participants key
 * replies by saga id, and kafkajs's default (Java-compatible murmur2)
 * partitioner puts them here. The owner of this partition drives the saga.
 */
export function homePartitionOf(sagaId: string, partitions: number): number {
  let partitionMetadata = metadataByCount.get(partitions);
  if (!partitionMetadata) {
    partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
    metadataByCount.set(partitions, partitionMetadata);
  }
  return partitioner({ topic: 'saga.replies', partitionMetadata, message: { key: sagaId, value: null } });
}
