import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';

// Flexible in every version (KIP-700).

/** v1+ (KIP-919): which endpoints to describe; 1 brokers, 2 controllers. */
export const EndpointType = { Brokers: 1, Controllers: 2 } as const;

export interface DescribeClusterRequest {
  includeClusterAuthorizedOperations: boolean;
  endpointType: number;
}

export interface DescribeClusterResponse {
  errorCode: number;
  errorMessage: string | null;
  endpointType: number;
  clusterId: string;
  controllerId: number;
  brokers: Array<{ nodeId: number; host: string; port: number }>;
  clusterAuthorizedOperations: number;
}

export function decodeDescribeClusterRequest(r: Reader, version: number): DescribeClusterRequest {
  const includeClusterAuthorizedOperations = r.boolean();
  const endpointType = version >= 1 ? r.int8() : EndpointType.Brokers;
  r.taggedFields();
  return { includeClusterAuthorizedOperations, endpointType };
}

export function encodeDescribeClusterResponse(w: Writer, res: DescribeClusterResponse, version: number): void {
  w.int32(0).int16(res.errorCode).compactNullableString(res.errorMessage); // throttle time first
  if (version >= 1) w.int8(res.endpointType);
  w.compactString(res.clusterId).int32(res.controllerId);
  w.compactArray(res.brokers, (w, b) => {
    w.int32(b.nodeId).compactString(b.host).int32(b.port).compactNullableString(null); // no rack
    w.taggedFields();
  });
  w.int32(res.clusterAuthorizedOperations).taggedFields();
}
