import { Command } from 'commander';
import { registerBrokerCommand } from './commands/broker';
import { registerCoordinatorCommand } from './commands/coordinator';
import { registerDevCommand } from './commands/dev';
import { registerDlqCommand } from './commands/dlq';
import { registerPublishCommand } from './commands/publish';
import { registerRegistryCommand } from './commands/registry';
import { registerRunCommand } from './commands/run';
import { registerSagaCommand } from './commands/saga';
import { registerStateCommand } from './commands/state';
import { registerTopicsCommand } from './commands/topics/ls-describe-create';
import { registerTailCommand } from './commands/topics/tail';

export function buildProgram(): Command {
  const program = new Command('mesh').description('agentmesh: a fault-tolerant, event-driven agent mesh on Kafka').showHelpAfterError('(run with --help for usage)');
  registerBrokerCommand(program);
  registerRegistryCommand(program);
  registerDevCommand(program);
  registerRunCommand(program);
  registerPublishCommand(program);
  registerDlqCommand(program);
  registerCoordinatorCommand(program);
  registerSagaCommand(program);
  registerStateCommand(program);
  registerTopicsCommand(program);
  registerTailCommand(program);
  return program;
}
