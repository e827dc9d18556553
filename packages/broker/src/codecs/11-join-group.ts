import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  /** v0 has none: the session timeout bounds the rebalance then. */
  rebalanceTimeoutMs: number;
  memberId: string;
  /** v5+ (static membership); kept and echoed, not used for identity. */
  groupInstanceId: string | null;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
}

export interface JoinGroupResponse {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leaderId: string;
  memberId: string;
  members: ReadonlyArray<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

export function decodeJoinGroupRequest(r: Reader, version: number): JoinGroupRequest {
  const groupId = r.string();
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = version >= 1 ? r.int32() : sessionTimeoutMs;
  const memberId = r.string();
  const groupInstanceId = version >= 5 ? r.nullableString() : null;
  const protocolType = r.string();
  // Metadata is a view into the request frame; copy it, as the group keeps it across requests.
  const protocols = r.array((p) => ({ name: p.string(), metadata: Buffer.from(p.bytes()) }));
  return { groupId, sessionTimeoutMs, rebalanceTimeoutMs, memberId, groupInstanceId, protocolType, protocols };
}

export function encodeJoinGroupResponse(w: Writer, res: JoinGroupResponse, version: number): void {
  if (version >= 2) w.int32(0); // throttle time
  w.int16(res.errorCode).int32(res.generationId).string(res.protocolName).string(res.leaderId).string(res.memberId);
  w.array(res.members, (w, m) => {
    w.string(m.memberId);
    if (version >= 5) w.nullableString(m.groupInstanceId);
    w.bytes(m.metadata);
  });
}
