import { RegistryCodec } from '@agentmesh/runtime';
import { Argument, type Command } from 'commander';
import { parseHttpUrl } from '../../options';
import { toJson } from '../dlq/display-value';
import { SagaCommandError, withStore, withStoreOptions, type StoreFlags } from './common';
import { decodeSagaData } from './data';
import { renderSagaDetail, sagaDetailJson } from './format';

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
      .option('--registry <url>', 'schema registry to decode Avro data (without it, data is read as JSON and Avro is shown as a byte count)', parseHttpUrl),
  ).action(async (id: string, flags: ShowFlags) => {
    await withStore(flags, async (store) => {
      const state = await store.load(id);
      if (!state) throw new SagaCommandError(`no saga with id '${id}'${flags.keyPrefix ? ` under key prefix '${flags.keyPrefix}'` : ''}`);
      const registry = flags.registry === undefined ? undefined : new RegistryCodec({ url: flags.registry, retries: 0, requestTimeoutMs: 3_000 });
      const data = await decodeSagaData(state.data, registry);
      process.stdout.write(flags.json ? `${toJson(sagaDetailJson(state, data))}\n` : renderSagaDetail(state, data, Date.now()));
    });
  });
}
