import { join, resolve } from 'node:path';
import { BrokerListenError, startBroker, type RunningBroker } from '@agentmesh/broker';
import { loadContracts, PortInUseError, registerContracts, startSchemaRegistry } from '@agentmesh/schema-registry';
import type { Command } from 'commander';
import { parsePort, stopOnSignals, UsageError } from '../options';

interface DevFlags {
  brokerPort: number;
  registryPort: number;
  dataDir: string;
  schemas?: string;
  contracts: boolean;
}

/** Starts the local stack in one process: broker, then registry (whose state lives on the broker). */
export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('run the local stack in one process: the embedded broker and schema registry, with a data dir')
    .option('--broker-port <port>', 'broker port', parsePort, 9092)
    .option('--registry-port <port>', 'schema registry port', parsePort, 8081)
    .option('--data-dir <dir>', 'where the broker keeps its data', '.mesh')
    .option('--schemas <dir>', "Avro contracts to register at start-up (default: the repository's schemas/)")
    .option('--no-contracts', 'do not register the contracts at start-up')
    .action(async (flags: DevFlags) => {
      const dataDir = resolve(flags.dataDir);
      let broker: RunningBroker;
      try {
        broker = await startBroker({ port: flags.brokerPort, dataDir: join(dataDir, 'broker'), logLevel: 'warn' });
      } catch (err) {
        if (err instanceof BrokerListenError && err.code === 'EADDRINUSE') {
          throw new UsageError(`port ${flags.brokerPort} is taken by another process; choose another with --broker-port`);
        }
        throw err;
      }
      try {
        const registry = await startSchemaRegistry({ port: flags.registryPort, brokers: [broker.address] });
        stopOnSignals(async () => {
          await registry.stop();
          await broker.stop();
        });
        process.stdout.write(`broker listening on ${broker.address}\nschema registry listening on ${registry.url}\ndata in ${dataDir}\n`);
        if (flags.contracts) {
          const registered = await registerContracts(registry.url, loadContracts(flags.schemas));
          process.stdout.write(`registered ${registered.length} contracts (${registered.map((c) => c.subject).join(', ')})\n`);
        }
      } catch (err) {
        await broker.stop();
        if (err instanceof PortInUseError) throw new UsageError(`port ${flags.registryPort} is taken by another process; choose another with --registry-port`);
        throw err;
      }
    });
}
