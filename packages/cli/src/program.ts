import { Command } from 'commander';
import { registerAgentsCommand } from './commands/agents';
import { registerBrokerCommand } from './commands/broker';
import { registerChaosCommand } from './commands/chaos';
import { registerConsoleCommand } from './commands/console';
import { registerContractsCommand } from './commands/contracts';
import { registerCoordinatorCommand } from './commands/coordinator';
import { registerDevCommand } from './commands/dev';
import { registerDlqCommand } from './commands/dlq';
import { registerPublishCommand } from './commands/publish';
import { registerRegistryCommand } from './commands/registry';
import { registerRunCommand } from './commands/run';
import { registerSagaCommand } from './commands/saga';
import { registerStateCommand } from './commands/state';
import { registerStatusCommand } from './commands/status';
import { registerTopicsCommand } from './commands/topics/ls-describe-create';
import { registerTailCommand } from './commands/topics/tail';
import { registerTraceCommand } from './commands/trace';
import { meshVersion } from './version';

export function buildProgram(): Command {
  const program = new Command('mesh')
    .description('agentmesh: a fault-tolerant, event-driven agent mesh on Kafka')
    .version(meshVersion(), '-V, --version', 'print the version of mesh')
    // `mesh --version` is the program's; after a command, `--version` is that command's own (`mesh state show --version 3`).
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)');
  registerBrokerCommand(program);
  registerRegistryCommand(program);
  registerDevCommand(program);
  registerContractsCommand(program);
  registerRunCommand(program);
  registerPublishCommand(program);
  registerDlqCommand(program);
  registerCoordinatorCommand(program);
  registerSagaCommand(program);
  registerStateCommand(program);
  registerTopicsCommand(program);
  registerTailCommand(program);
  registerChaosCommand(program);
  registerTraceCommand(program);
  registerStatusCommand(program);
  registerAgentsCommand(program);
  registerConsoleCommand(program);
  return program;
}
