import { defineApi } from '../api/types';
import { API_VERSIONS_FLEXIBLE_FROM, decodeApiVersionsRequest, encodeApiVersionsResponse, type ApiVersionsRequest, type ApiVersionsResponse } from '../codecs/18-api-versions';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';

/** Kafka's rule for v3's client software name and version (KIP-511): letters, digits, '-' and '.', alphanumeric at both ends. */
const SOFTWARE_FIELD = /^[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?$/;

/** Built from the registered APIs, so it can never advertise something we do not serve. */
export const apiVersionsApi = defineApi<ApiVersionsRequest, ApiVersionsResponse>({
  key: ApiKey.ApiVersions,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: API_VERSIONS_FLEXIBLE_FROM,
  decode: decodeApiVersionsRequest,
  encode: encodeApiVersionsResponse,
  handle: (req, ctx) => {
    if (ctx.header.apiVersion >= 3 && !(SOFTWARE_FIELD.test(req.clientSoftwareName) && SOFTWARE_FIELD.test(req.clientSoftwareVersion))) {
      return { errorCode: ErrorCode.INVALID_REQUEST, apis: [] };
    }
    return { errorCode: ErrorCode.NONE, apis: ctx.apis.map((a) => ({ key: a.key, minVersion: a.minVersion, maxVersion: a.maxVersion })) };
  },
});
