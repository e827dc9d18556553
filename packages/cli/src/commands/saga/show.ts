import { RegistryCodec } from '@agentmesh/runtime';
import { Argument, type Command } from 'commander';
import { endpoint } from '../../defaults';
import { parseHttpUrl } from '../../options';
import { toJson } from '../dlq/display-value';
import { SagaCommandError, withStore, withStoreOptions, type StoreFlags } from './common';
import { decodeSagaData } from './data';
import { renderSagaDetail, sagaDetailJson } from './format';
import { registryCredentials } from '../../connection/settings';

interface ShowFlags extends StoreFlags {
  json: boolean;
  registry?: string;
}

/** `mesh saga show <id>`: one saga's header, timeline, steps and data. */
export function registerSagaShowCommand(saga: Command): void {
  withStoreOptions(
    saga
      .command('show')
      .description("one saga's story: header (type, status, start, duration, trace id, trigger), timeline, steps and its data decoded")
      .addArgument(new Argument('<id>', 'the saga id (from `mesh saga ls`)'))
      .option('--json', 'print the stored state as one JSON object, with the trace id and the data decoded', false)
      .option('--registry <url>', 'schema registry to decode Avro data (default: $SCHEMA_REGISTRY_URL or http://127.0.0.1:8081; JSON data needs none)', parseHttpUrl),
  ).action(async (id: string, flags: ShowFlags) => {
    await withStore(flags, async (store) => {
      const state = await store.load(id);
      if (!state) throw new SagaCommandError(`no saga with id '${id}'${flags.keyPrefix ? ` under key prefix '${flags.keyPrefix}'` : ''}`);
      // Asked only for Avro data; when it cannot be reached, the data is shown as not decoded, with why.
      const registry = new RegistryCodec({ ...registryCredentials(), url: flags.registry ?? endpoint('SCHEMA_REGISTRY_URL'), retries: 0, requestTimeoutMs: 3_000 });
      const data = await decodeSagaData(state.data, registry);
      process.stdout.write(flags.json ? `${toJson(sagaDetailJson(state, data))}\n` : renderSagaDetail(state, data, Date.now()));
    });
  });
}
