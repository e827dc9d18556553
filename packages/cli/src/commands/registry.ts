import { readFileSync } from 'node:fs';
import { parseRegistryUsers, PortInUseError, RegistryUsersFileError, startSchemaRegistry, type RegistryUser } from '@agentmesh/schema-registry';
import type { Command } from 'commander';
import { cliKafkaSecurity } from '../connection/settings';
import { endpoint } from '../defaults';
import { parseBrokerList, parsePort, stopOnSignals, UsageError } from '../options';

interface RegistryFlags {
  host: string;
  port: number;
  brokers?: string[];
  memory: boolean;
  basicAuthFile?: string;
}

/** The users of --basic-auth-file; a file that cannot be read or parsed is one line. */
function readUsers(file: string): RegistryUser[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--basic-auth-file: ${file} ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read'}`);
  }
  try {
    return parseRegistryUsers(text, file);
  } catch (error) {
    if (error instanceof RegistryUsersFileError) throw new UsageError(`--basic-auth-file: ${error.message}`);
    throw error;
  }
}

export function registerRegistryCommand(program: Command): void {
  program
    .command('registry')
    .description('run the embedded Confluent-compatible schema registry in the foreground')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 8081)
    .option('--brokers <list>', 'Kafka brokers holding the _schemas topic (default: $KAFKA_BROKERS or 127.0.0.1:9092)', parseBrokerList)
    .option('--memory', 'keep schemas in memory only (nothing survives a restart)', false)
    .option('--basic-auth-file <file>', 'require HTTP basic auth as one of the users in this file (user:password per line); clients set SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD')
    .action(async (flags: RegistryFlags) => {
      const basicAuthUsers = flags.basicAuthFile !== undefined ? readUsers(flags.basicAuthFile) : undefined;
      const brokers = flags.memory ? undefined : (flags.brokers ?? parseBrokerList(endpoint('KAFKA_BROKERS')));
      try {
        const registry = await startSchemaRegistry({
          host: flags.host,
          port: flags.port,
          brokers,
          ...(brokers ? { kafkaSecurity: cliKafkaSecurity() } : {}),
          ...(basicAuthUsers ? { basicAuthUsers } : {}),
        });
        stopOnSignals(() => registry.stop());
        process.stdout.write(
          `schema registry listening on ${registry.url}${brokers ? ` (schemas in _schemas on ${brokers.join(',')})` : ' (in memory)'}${basicAuthUsers ? `; basic auth required (${basicAuthUsers.length} users)` : ''}\n`,
        );
      } catch (err) {
        if (err instanceof PortInUseError) throw new UsageError(`${err.message}; choose another with --port`);
        throw err;
      }
    });
}
