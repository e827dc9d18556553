import { defineApi, type RequestContext } from '../api/types';
import { decodeOffsetCommitRequest, OFFSET_COMMIT_FLEXIBLE_FROM, encodeOffsetCommitResponse, type OffsetCommitRequest, type OffsetCommitResponse } from '../codecs/08-offset-commit';
import type { OffsetCommitEntry } from '../groups/coordinator';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { groupAllowed, topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';

/** Like Kafka's offset.metadata.max.bytes default. */
export const MAX_OFFSET_METADATA_CHARS = 4096;

/**
 * Partitions that do not exist or carry oversized metadata get their own
 * error; the rest are committed together once the group checks pass.
 */
function handleOffsetCommit(req: OffsetCommitRequest, ctx: RequestContext): OffsetCommitResponse {
  const errors = new Map<string, ErrorCode>();
  const key = (topic: string, partition: number) => `${partition}:${topic}`;
  const entries: OffsetCommitEntry[] = [];
  if (!groupAllowed(ctx, AclOperation.READ, req.groupId)) {
    return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ index: p.index, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED })) })) };
  }
  for (const t of req.topics) {
    const topic = ctx.cluster.topics.get(t.name);
    const readable = topicAllowed(ctx, AclOperation.READ, t.name);
    for (const p of t.partitions) {
      if (!readable) errors.set(key(t.name, p.index), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      else if (!topic || p.index < 0 || p.index >= topic.partitions.length) errors.set(key(t.name, p.index), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      else if (p.metadata !== null && p.metadata.length > MAX_OFFSET_METADATA_CHARS) errors.set(key(t.name, p.index), ErrorCode.OFFSET_METADATA_TOO_LARGE);
      // Kafka stores null metadata as "" and answers it so; clients compare it.
      else entries.push({ topic: t.name, partition: p.index, offset: p.offset, metadata: p.metadata ?? '', commitTimestamp: p.commitTimestamp });
    }
  }
  const groupOutcome = entries.length > 0 ? ctx.groups.commitOffsets(req.groupId, req.generationId, req.memberId, entries) : ErrorCode.NONE;
  return {
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ index: p.index, errorCode: errors.get(key(t.name, p.index)) ?? groupOutcome })),
    })),
  };
}

export const offsetCommitApi = defineApi<OffsetCommitRequest, OffsetCommitResponse>({
  key: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 8,
  flexibleFrom: OFFSET_COMMIT_FLEXIBLE_FROM,
  decode: decodeOffsetCommitRequest,
  encode: encodeOffsetCommitResponse,
  handle: handleOffsetCommit,
});
