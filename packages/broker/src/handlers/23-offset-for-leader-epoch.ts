import { defineApi, type RequestContext } from '../api/types';
import {
  decodeOffsetForLeaderEpochRequest,
  encodeOffsetForLeaderEpochResponse,
  OFFSET_FOR_LEADER_EPOCH_FLEXIBLE_FROM,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponse,
} from '../codecs/23-offset-for-leader-epoch';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

/** Leadership never moves on one broker: every partition is in leader epoch 0 (what Metadata v7+ says). */
const LEADER_EPOCH = 0;

type EpochAnswer = OffsetForLeaderEpochResponse['topics'][number]['partitions'][number];

/** Kafka's rules with a single epoch: epoch 0 ends at the log end; a later epoch is unknown, an earlier one does not exist. */
function endOf(topic: string, index: number, currentLeaderEpoch: number, leaderEpoch: number, ctx: RequestContext): EpochAnswer {
  const failed = (errorCode: ErrorCode): EpochAnswer => ({ errorCode, index, leaderEpoch: -1, endOffset: -1 });
  if (!topicAllowed(ctx, AclOperation.DESCRIBE, topic)) return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  const partition = ctx.cluster.topics.get(topic)?.partitions[index];
  if (!partition) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (currentLeaderEpoch > LEADER_EPOCH) return failed(ErrorCode.UNKNOWN_LEADER_EPOCH);
  if (currentLeaderEpoch >= 0 && currentLeaderEpoch < LEADER_EPOCH) return failed(ErrorCode.FENCED_LEADER_EPOCH);
  if (leaderEpoch !== LEADER_EPOCH) return { errorCode: ErrorCode.NONE, index, leaderEpoch: -1, endOffset: -1 };
  return { errorCode: ErrorCode.NONE, index, leaderEpoch: LEADER_EPOCH, endOffset: partition.highWatermark };
}

export const offsetForLeaderEpochApi = defineApi<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>({
  key: ApiKey.OffsetForLeaderEpoch,
  name: 'OffsetForLeaderEpoch',
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: OFFSET_FOR_LEADER_EPOCH_FLEXIBLE_FROM,
  decode: decodeOffsetForLeaderEpochRequest,
  encode: encodeOffsetForLeaderEpochResponse,
  handle: (req, ctx) => ({
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => endOf(t.name, p.index, p.currentLeaderEpoch, p.leaderEpoch, ctx)) })),
  }),
});
