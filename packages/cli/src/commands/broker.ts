import { BrokerListenError, startBroker } from '@agentmesh/broker';
import type { Command } from 'commander';
import { parsePort, parsePositiveInt, stopOnSignals, UsageError } from '../options';

interface BrokerFlags {
  host: string;
  port: number;
  dataDir?: string;
  partitions: number;
  autoCreate: boolean;
  logLevel: string;
}

export function registerBrokerCommand(program: Command): void {
  program
    .command('broker')
    .description('run the embedded Kafka-protocol broker in the foreground')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 9092)
    .option('--data-dir <dir>', 'keep topics, data and offsets in this directory (default: in memory)')
    .option('--partitions <n>', 'partitions of auto-created topics', parsePositiveInt, 1)
    .option('--no-auto-create', 'do not create unknown topics on first use')
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (flags: BrokerFlags) => {
      const broker = await startBroker({
        host: flags.host,
        port: flags.port,
        dataDir: flags.dataDir,
        defaultPartitions: flags.partitions,
        autoCreateTopics: flags.autoCreate,
        logLevel: flags.logLevel as 'info',
      }).catch((err: unknown) => {
        if (err instanceof BrokerListenError && err.code === 'EADDRINUSE') throw new UsageError(`${err.message}; choose another with --port`);
        throw err;
      });
      // Handlers go in before the line that tells a supervisor we are up.
      stopOnSignals(() => broker.stop());
      process.stdout.write(`broker listening on ${broker.address}\n`);
    });
}
