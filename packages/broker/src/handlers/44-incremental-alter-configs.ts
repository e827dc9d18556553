import { defineApi } from '../api/types';
import { encodeAlterConfigsResponse, type AlterConfigsResponse } from '../codecs/33-alter-configs';
import { decodeIncrementalAlterConfigsRequest, INCREMENTAL_ALTER_CONFIGS_FLEXIBLE_FROM, type IncrementalAlterConfigsRequest } from '../codecs/44-incremental-alter-configs';
import { ApiKey } from '../protocol/api-keys';
import { applyIncrementalChanges } from '../state/config-changes';
import { alterResource } from './config-resources';

/** SET, DELETE, APPEND and SUBTRACT on single configs; the rest of a resource's configs stay. */
export const incrementalAlterConfigsApi = defineApi<IncrementalAlterConfigsRequest, AlterConfigsResponse>({
  key: ApiKey.IncrementalAlterConfigs,
  name: 'IncrementalAlterConfigs',
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: INCREMENTAL_ALTER_CONFIGS_FLEXIBLE_FROM,
  decode: decodeIncrementalAlterConfigsRequest,
  encode: (w, res, version) => encodeAlterConfigsResponse(w, res, version >= INCREMENTAL_ALTER_CONFIGS_FLEXIBLE_FROM),
  handle: (req, ctx) => ({
    results: req.resources.map((r) =>
      alterResource({ type: r.type, name: r.name, change: (current, typeOf, inForce) => applyIncrementalChanges(current, r.configs, typeOf, inForce) }, req.validateOnly, ctx),
    ),
  }),
});
