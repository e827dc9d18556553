import { join, resolve } from 'node:path';
import { BrokerListenError, startBroker, type RunningBroker } from '@agentmesh/broker';
import { PortInUseError, startSchemaRegistry } from '@agentmesh/schema-registry';
import type { Command } from 'commander';
import { ConsolePortError } from '../console/server';
import { parsePort, stopOnSignals, UsageError } from '../options';
import { startAlertEvaluator } from './alerts';
import { DEFAULT_CONSOLE_PORT, startMeshConsole } from './console';
import { loadContractsOrExplain, registerOrExplain } from './contracts';
import { projectSchemasHere } from './contracts/project-schemas';

interface DevFlags {
  brokerPort: number;
  registryPort: number;
  dataDir: string;
  schemas?: string;
  contracts: boolean;
  consolePort: number;
  console: boolean;
  alerts: boolean;
}

/** Starts the local stack in one process: broker, then registry (whose state lives on the broker). */
export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('run the local stack in one process: the embedded broker and schema registry, with a data dir')
    .option('--broker-port <port>', 'broker port', parsePort, 9092)
    .option('--registry-port <port>', 'schema registry port', parsePort, 8081)
    .option('--data-dir <dir>', 'where the broker keeps its data', '.mesh')
    .option('--schemas <dir>', "a project's Avro contracts to register at start-up (default: ./schemas when it is there)")
    .option('--no-contracts', "register only the mesh's own contracts, none of the project's")
    .option('--console-port <port>', 'web console port (0 picks a free one)', parsePort, DEFAULT_CONSOLE_PORT)
    .option('--no-console', 'do not start the web console')
    .option('--no-alerts', 'do not evaluate the alert rules (mesh alerts watch) in this process')
    .action(async (flags: DevFlags) => {
      const dataDir = resolve(flags.dataDir);
      // Contracts are read before anything starts, so a bad file stops nothing half-started.
      const schemas = projectSchemasHere(flags.schemas, flags.contracts);
      const contracts = loadContractsOrExplain(schemas);
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
        let webConsole: Awaited<ReturnType<typeof startMeshConsole>> | undefined;
        let evaluator: ReturnType<typeof startAlertEvaluator> | undefined;
        stopOnSignals(async () => {
          await evaluator?.stop();
          await webConsole?.stop();
          await registry.stop();
          await broker.stop();
        });
        process.stdout.write(`broker listening on ${broker.address}\nschema registry listening on ${registry.url}\ndata in ${dataDir}\n`);
        if (schemas.kind === 'none') process.stdout.write(`${schemas.note}\n`);
        const registered = await registerOrExplain(registry.url, contracts, schemas);
        process.stdout.write(`registered ${registered.length} contracts (${registered.map((c) => c.subject).join(', ')})\n`);
        // The mesh's alerts are evaluated for as long as the stack runs (the console's reader leaves publishing to it).
        if (flags.alerts) evaluator = startAlertEvaluator({ brokers: [broker.address], registryUrl: registry.url });
        if (flags.console) {
          try {
            webConsole = await startMeshConsole({ brokers: [broker.address], registryUrl: registry.url, port: flags.consolePort });
            process.stdout.write(`console on ${webConsole.url}\n`);
          } catch (error) {
            // The stack is still of use without its console.
            if (!(error instanceof ConsolePortError)) throw error;
            process.stderr.write(`mesh: console not started: ${error.message.replace('--port', '--console-port')}\n`);
          }
        }
      } catch (err) {
        await broker.stop();
        if (err instanceof PortInUseError) throw new UsageError(`port ${flags.registryPort} is taken by another process; choose another with --registry-port`);
        throw err;
      }
    });
}
