import { randomBytes } from 'node:crypto';
import { ProtocolDecodeError } from '../protocol/errors';
import { Reader } from '../protocol/reader';
import { ALL_APIS } from './registry';

/** Apache Kafka 3.7's advertised maxima for the APIs both it and this broker serve. */
const KAFKA_3_MAXIMA: Record<string, number> = {
  Produce: 10,
  Fetch: 16,
  ListOffsets: 8,
  Metadata: 12,
  OffsetCommit: 8,
  OffsetFetch: 8,
  FindCoordinator: 4,
  JoinGroup: 9,
  Heartbeat: 4,
  LeaveGroup: 5,
  SyncGroup: 5,
  DescribeGroups: 5,
  ListGroups: 4,
  ApiVersions: 3,
  CreateTopics: 7,
  DeleteTopics: 6,
  DeleteRecords: 2,
  DescribeConfigs: 4,
  AlterConfigs: 2,
  CreatePartitions: 3,
  DeleteGroups: 2,
  IncrementalAlterConfigs: 1,
  OffsetDelete: 0,
  AlterPartitionReassignments: 0,
  ListPartitionReassignments: 0,
  OffsetForLeaderEpoch: 4,
  DescribeCluster: 1,
};

describe('the API registry', () => {
  it('advertises what Apache Kafka 3.x advertises', () => {
    const advertised = Object.fromEntries(ALL_APIS.map((a) => [a.name, a.maxVersion]));
    for (const [name, max] of Object.entries(KAFKA_3_MAXIMA)) expect([name, advertised[name]]).toEqual([name, max]);
  });

  it('decodes garbage at every version into a request or a ProtocolDecodeError, never another exception', () => {
    for (const api of ALL_APIS) {
      for (let version = api.minVersion; version <= api.maxVersion; version++) {
        for (let i = 0; i < 100; i++) {
          const bytes = randomBytes(i % 64);
          try {
            api.decode(new Reader(bytes), version);
          } catch (err) {
            if (!(err instanceof ProtocolDecodeError)) throw new Error(`${api.name} v${version} threw ${(err as Error).name}: ${(err as Error).message} on ${bytes.toString('hex')}`);
          }
        }
      }
    }
  });
});
