import { endStruct, readArray, readBytes, readNullableString, readString, skipTaggedFields, writeArray, writeBytes, writeNullableString, writeString } from '../protocol/flexible';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

export const JOIN_GROUP_FLEXIBLE_FROM = 6;

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
  /** v7+: the group's protocol type, echoed. */
  protocolType?: string | null;
  protocolName: string;
  leaderId: string;
  memberId: string;
  members: ReadonlyArray<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

export function decodeJoinGroupRequest(r: Reader, version: number): JoinGroupRequest {
  const flexible = version >= JOIN_GROUP_FLEXIBLE_FROM;
  const groupId = readString(r, flexible);
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = version >= 1 ? r.int32() : sessionTimeoutMs;
  const memberId = readString(r, flexible);
  const groupInstanceId = version >= 5 ? readNullableString(r, flexible) : null;
  const protocolType = readString(r, flexible);
  // Metadata is a view into the request frame; copy it, as the group keeps it across requests.
  const protocols = readArray(r, flexible, (p) => ({ name: readString(p, flexible), metadata: Buffer.from(readBytes(p, flexible)) }));
  if (version >= 8) readNullableString(r, flexible); // reason, for the broker's log
  skipTaggedFields(r, flexible);
  return { groupId, sessionTimeoutMs, rebalanceTimeoutMs, memberId, groupInstanceId, protocolType, protocols };
}

export function encodeJoinGroupResponse(w: Writer, res: JoinGroupResponse, version: number): void {
  const flexible = version >= JOIN_GROUP_FLEXIBLE_FROM;
  if (version >= 2) w.int32(0); // throttle time
  w.int16(res.errorCode).int32(res.generationId);
  if (version >= 7) {
    writeNullableString(w, res.protocolType ?? null, flexible);
    // v7+: null (not "") when no protocol was chosen, as Kafka answers a failed join.
    writeNullableString(w, res.protocolName === '' ? null : res.protocolName, flexible);
  } else writeString(w, res.protocolName, flexible);
  writeString(w, res.leaderId, flexible);
  if (version >= 9) w.boolean(false); // skip assignment: the leader always assigns
  writeString(w, res.memberId, flexible);
  writeArray(w, res.members, flexible, (w, m) => {
    writeString(w, m.memberId, flexible);
    if (version >= 5) writeNullableString(w, m.groupInstanceId, flexible);
    writeBytes(w, m.metadata, flexible);
  });
  endStruct(w, flexible);
}
