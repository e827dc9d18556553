import { Command } from 'commander';
import { meshVersion } from './version';

/** The program without its commands: buildProgram adds them all, programFor the one a command line names. */
export function newProgram(): Command {
  return (
    new Command('mesh')
      .description('agentmesh: a fault-tolerant, event-driven agent mesh on Kafka')
      .version(meshVersion(), '-V, --version', 'print the version of mesh')
      // `mesh --version` is the program's; after a command, `--version` is that command's own (`mesh state show --version 3`).
      .enablePositionalOptions()
      .showHelpAfterError('(run with --help for usage)')
  );
}
