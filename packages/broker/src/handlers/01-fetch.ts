import { defineApi, type RequestContext } from '../api/types';
import { decodeFetchRequest, encodeFetchResponse, FETCH_FLEXIBLE_FROM, type FetchPartitionResponse, type FetchRequest, type FetchResponse } from '../codecs/01-fetch';
import type { Partition } from '../log/partition';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { topicAllowed } from '../security/access';
import { AclOperation } from '../security/acl';
import { withTopicIds } from './fetch-topic-ids';

/** Upper bound on a long poll, whatever the client asks, so a stuck client cannot pin a request forever. */
const MAX_WAIT_CAP_MS = 30_000;
/** Fetch's isolation_level: 0 read_uncommitted, 1 read_committed. */
const READ_COMMITTED = 1;

function readAll(req: FetchRequest, ctx: RequestContext): { response: FetchResponse; bytes: number; partitions: Partition[] } {
  let budget = req.maxBytes;
  let bytes = 0;
  const partitions: Partition[] = [];
  const topics = req.topics.map((t) => {
    const readable = topicAllowed(ctx, AclOperation.READ, t.name);
    const topic = ctx.cluster.topics.get(t.name);
    return {
      name: t.name,
      partitions: t.partitions.map((p): FetchPartitionResponse => {
        if (!readable) return { index: p.index, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: [], records: [] };
        const partition = topic?.partitions[p.index];
        if (!partition) return { index: p.index, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: [], records: [] };
        partitions.push(partition);
        const lastStableOffset = partition.lastStableOffset;
        const base = { index: p.index, highWatermark: partition.highWatermark, lastStableOffset, logStartOffset: partition.logStartOffset, abortedTransactions: [] };
        if (p.fetchOffset < partition.logStartOffset || p.fetchOffset > partition.highWatermark) {
          return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, records: [] };
        }
        // read_committed stops at the last stable offset and names the aborted transactions it read into; read_uncommitted reads to the high watermark.
        const committedOnly = req.isolationLevel === READ_COMMITTED;
        const read = partition.read(p.fetchOffset, Math.min(p.maxBytes, budget), bytes === 0, committedOnly ? lastStableOffset : partition.highWatermark);
        budget = Math.max(0, budget - read.bytes);
        bytes += read.bytes;
        const abortedTransactions = committedOnly && read.batches.length > 0 ? partition.abortedTransactions(p.fetchOffset, read.endOffset) : [];
        return { ...base, abortedTransactions, errorCode: ErrorCode.NONE, records: read.batches };
      }),
    };
  });
  return { response: { errorCode: ErrorCode.NONE, sessionId: 0, topics }, bytes, partitions };
}

/**
 * Long polling: answer at once when minBytes are there, else wait until a
 * produce to one of the partitions brings enough, or maxWaitMs passes.
 */
function handleFetch(req: FetchRequest, ctx: RequestContext): FetchResponse | Promise<FetchResponse> {
  const first = readAll(req, ctx);
  if (first.bytes >= Math.max(1, req.minBytes) || req.maxWaitMs <= 0 || first.partitions.length === 0 || ctx.signal.aborted) return first.response;
  return new Promise((resolve) => {
    const cancels: Array<() => void> = [];
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', finish);
      for (const c of cancels) c();
      resolve(readAll(req, ctx).response);
    };
    const listen = () => {
      for (const c of cancels) c();
      cancels.length = 0;
      for (const p of first.partitions) cancels.push(p.onNextAppend(onAppend));
    };
    const onAppend = () => {
      if (settled) return;
      if (readAll(req, ctx).bytes >= req.minBytes) finish();
      else listen();
    };
    const timer = setTimeout(finish, Math.min(req.maxWaitMs, MAX_WAIT_CAP_MS));
    ctx.signal.addEventListener('abort', finish);
    listen();
  });
}

export const fetchApi = defineApi<FetchRequest, FetchResponse>({
  key: ApiKey.Fetch,
  name: 'Fetch',
  minVersion: 0,
  // v16 (KIP-951) adds only optional tagged fields (leader hints), which a single broker never needs to send.
  maxVersion: 16,
  flexibleFrom: FETCH_FLEXIBLE_FROM,
  decode: decodeFetchRequest,
  encode: encodeFetchResponse,
  handle: withTopicIds(handleFetch),
});
