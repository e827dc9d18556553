import { defineApi } from '../api/types';
import { ALTER_CONFIGS_FLEXIBLE_FROM, decodeAlterConfigsRequest, encodeAlterConfigsResponse, type AlterConfigsRequest, type AlterConfigsResponse } from '../codecs/33-alter-configs';
import { ApiKey } from '../protocol/api-keys';
import { replaceConfigs } from '../state/config-changes';
import { alterResource } from './config-resources';

/** The legacy API: each resource's given configs replace all it had set before. */
export const alterConfigsApi = defineApi<AlterConfigsRequest, AlterConfigsResponse>({
  key: ApiKey.AlterConfigs,
  name: 'AlterConfigs',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: ALTER_CONFIGS_FLEXIBLE_FROM,
  decode: decodeAlterConfigsRequest,
  encode: (w, res, version) => encodeAlterConfigsResponse(w, res, version >= ALTER_CONFIGS_FLEXIBLE_FROM),
  handle: (req, ctx) => ({
    results: req.resources.map((r) => alterResource({ type: r.type, name: r.name, change: () => replaceConfigs(r.configs) }, req.validateOnly, ctx)),
  }),
});
