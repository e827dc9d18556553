import { PortInUseError, startSchemaRegistry } from '@agentmesh/schema-registry';
import type { Command } from 'commander';
import { endpoint } from '../defaults';
import { parseBrokerList, parsePort, stopOnSignals, UsageError } from '../options';

interface RegistryFlags {
  host: string;
  port: number;
  brokers?: string[];
  memory: boolean;
}

export function registerRegistryCommand(program: Command): void {
  program
    .command('registry')
    .description('run the embedded Confluent-compatible schema registry in the foreground')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 8081)
    .option('--brokers <list>', 'Kafka brokers holding the _schemas topic (default: $KAFKA_BROKERS or 127.0.0.1:9092)', parseBrokerList)
    .option('--memory', 'keep schemas in memory only (nothing survives a restart)', false)
    .action(async (flags: RegistryFlags) => {
      const brokers = flags.memory ? undefined : (flags.brokers ?? parseBrokerList(endpoint('KAFKA_BROKERS')));
      try {
        const registry = await startSchemaRegistry({ host: flags.host, port: flags.port, brokers });
        stopOnSignals(() => registry.stop());
        process.stdout.write(`schema registry listening on ${registry.url}${brokers ? ` (schemas in _schemas on ${brokers.join(',')})` : ' (in memory)'}\n`);
      } catch (err) {
        if (err instanceof PortInUseError) throw new UsageError(`${err.message}; choose another with --port`);
        throw err;
      }
    });
}
