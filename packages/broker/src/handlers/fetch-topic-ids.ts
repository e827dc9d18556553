import type { RequestContext } from '../api/types';
import { FETCH_TOPIC_IDS_FROM, type FetchRequest, type FetchResponse } from '../codecs/01-fetch';
import { ErrorCode } from '../protocol/errors';

type FetchHandler = (req: FetchRequest, ctx: RequestContext) => FetchResponse | Promise<FetchResponse>;

/**
 * Fetch v13+ name topics by id (KIP-516): looks the names up before the
 * fetch, and puts the ids (and UNKNOWN_TOPIC_ID for ids no topic has) on the
 * answer, whose topics come in the request's order. Older versions pass through.
 */
export function withTopicIds(handle: FetchHandler): FetchHandler {
  return (req, ctx) => {
    if (ctx.header.apiVersion < FETCH_TOPIC_IDS_FROM) return handle(req, ctx);
    const unknown = new Set<string>();
    const named: FetchRequest = {
      ...req,
      topics: req.topics.map((t) => {
        const topic = ctx.cluster.topicById(t.topicId);
        if (!topic) unknown.add(t.topicId);
        return { ...t, name: topic?.name ?? '' };
      }),
    };
    const withIds = (res: FetchResponse): FetchResponse => ({
      ...res,
      topics: res.topics.map((t, i) => {
        const topicId = named.topics[i]!.topicId;
        return { ...t, topicId, partitions: unknown.has(topicId) ? t.partitions.map((p) => ({ ...p, errorCode: ErrorCode.UNKNOWN_TOPIC_ID })) : t.partitions };
      }),
    });
    const answer = handle(named, ctx);
    return answer instanceof Promise ? answer.then(withIds) : withIds(answer);
  };
}
