import { Command } from 'commander';
import { registerBrokerCommand } from './commands/broker';
import { registerDevCommand } from './commands/dev';
import { registerDlqCommand } from './commands/dlq';
import { registerPublishCommand } from './commands/publish';
import { registerRegistryCommand } from './commands/registry';
import { registerRunCommand } from './commands/run';

export function buildProgram(): Command {
  const program = new Command('mesh')
    .description('agentmesh: a fault-tolerant, event-driven agent mesh on Kafka')
    .showHelpAfterError('(run with --help for usage)');
  registerBrokerCommand(program);
  registerRegistryCommand(program);
  registerDevCommand(program);
  registerRunCommand(program);
  registerPublishCommand(program);
  registerDlqCommand(program);
  return program;
}
