import { defineApi } from '../api/types';
import { decodeApiVersionsRequest, encodeApiVersionsResponse, type ApiVersionsRequest, type ApiVersionsResponse } from '../codecs/18-api-versions';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/errors';

/** Built from the registered APIs, so it can never advertise something we do not serve. */
export const apiVersionsApi = defineApi<ApiVersionsRequest, ApiVersionsResponse>({
  key: ApiKey.ApiVersions,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 2,
  decode: decodeApiVersionsRequest,
  encode: encodeApiVersionsResponse,
  handle: (_req, ctx) => ({
    errorCode: ErrorCode.NONE,
    apis: ctx.apis.map((a) => ({ key: a.key, minVersion: a.minVersion, maxVersion: a.maxVersion })),
  }),
});
