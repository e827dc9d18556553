import type { SagaState, SagaStatus } from '@agentmesh/coordinator';
import { RegistryCodec } from '@agentmesh/runtime';
import { withStore, type StoreFlags } from '../../commands/saga/common';
import { decodeSagaData } from '../../commands/saga/data';
import {
  currentStep,
  newestFirst,
  SAGA_STATE_FILTERS,
  sagaDetailJson,
  sagaSummaryJson,
  statusesFor,
  type SagaDetailJson,
  type SagaStateFilter,
  type SagaSummaryJson,
} from '../../commands/saga/format';
import { resumePlan } from '../../commands/saga/resume';
import type { ConsoleContext } from '../context';
import { HttpError } from '../http';
import { registryCredentials } from '../../connection/settings';

const LIST_LIMIT = 100;

function storeFlags(ctx: ConsoleContext): StoreFlags {
  return { redis: ctx.redisUrl, keyPrefix: ctx.sagaKeyPrefix };
}

function stateFilter(text: string | null): SagaStateFilter | undefined {
  if (text === null || text === '' || text === 'all') return undefined;
  if (!(SAGA_STATE_FILTERS as readonly string[]).includes(text)) throw new HttpError(400, `unknown saga state '${text}' (states: ${SAGA_STATE_FILTERS.join(', ')})`);
  return text as SagaStateFilter;
}

/** GET /api/sagas?state=stuck: the newest sagas (of a state) and the counts per status. */
export async function listSagas(ctx: ConsoleContext, query: URLSearchParams): Promise<{ sagas: SagaSummaryJson[]; counts: Record<SagaStatus, number>; more: boolean }> {
  const state = stateFilter(query.get('state'));
  return withStore(storeFlags(ctx), async (store) => {
    const now = Date.now();
    const found: SagaState[] = [];
    for (const status of statusesFor(state)) found.push(...(await store.list({ statuses: [status], limit: LIST_LIMIT + 1, now })));
    const sorted = found.sort(newestFirst);
    return { sagas: sorted.slice(0, LIST_LIMIT).map((s) => sagaSummaryJson(s, now)), counts: await store.countByStatus(), more: sorted.length > LIST_LIMIT };
  });
}

/** GET /api/sagas/:id: one saga's state, timeline and data. */
export async function getSaga(ctx: ConsoleContext, id: string): Promise<SagaDetailJson> {
  return withStore(storeFlags(ctx), async (store) => {
    const state = await store.load(id);
    if (!state) throw new HttpError(404, `no saga with id '${id}'`);
    const data = await decodeSagaData(state.data, new RegistryCodec({ ...registryCredentials(), url: ctx.registryUrl, retries: 0, requestTimeoutMs: 3_000 }));
    return sagaDetailJson(state, data);
  });
}

/** POST /api/sagas/:id/resume: records the resume request, as `mesh saga resume --no-wait` does; the coordinator acts on it. */
export async function resumeSaga(ctx: ConsoleContext, id: string): Promise<{ message: string }> {
  return withStore(storeFlags(ctx), async (store) => {
    const requested = await store.requestResume(id);
    return { message: `resume requested for saga ${id} (${requested.type}, ${requested.status}: ${currentStep(requested)}); its coordinator will ${resumePlan(requested)}` };
  });
}
