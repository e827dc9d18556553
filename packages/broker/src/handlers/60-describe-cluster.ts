import { defineApi } from '../api/types';
import { AUTHORIZED_OPERATIONS_OMITTED } from '../codecs/03-metadata';
import { decodeDescribeClusterRequest, encodeDescribeClusterResponse, EndpointType, type DescribeClusterRequest, type DescribeClusterResponse } from '../codecs/60-describe-cluster';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';
import { clusterOperations } from '../security/access';

/** Kafka's UNSUPPORTED_ENDPOINT_TYPE: a broker describes brokers, not controllers. */
const UNSUPPORTED_ENDPOINT_TYPE = 119;

/** The one broker, at the address the client reached, is also the controller (as Metadata says). */
export const describeClusterApi = defineApi<DescribeClusterRequest, DescribeClusterResponse>({
  key: ApiKey.DescribeCluster,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: 0,
  decode: decodeDescribeClusterRequest,
  encode: encodeDescribeClusterResponse,
  handle: (req, ctx) => {
    const { nodeId, clusterId } = ctx.cluster.config;
    const base = { endpointType: req.endpointType, clusterId, controllerId: nodeId };
    if (req.endpointType !== EndpointType.Brokers) {
      return {
        ...base,
        errorCode: UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: 'The request was sent to a broker: it describes brokers only',
        controllerId: -1,
        brokers: [],
        clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
      };
    }
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      brokers: [{ nodeId, host: ctx.advertised.host, port: ctx.advertised.port }],
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? clusterOperations(ctx) : AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
});
