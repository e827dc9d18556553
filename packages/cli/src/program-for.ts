import type { Command } from 'commander';
import { newProgram } from './program-root';

type Register = (program: Command) => void;

/**
 * Each top-level command by its name, with the module that registers it (and what that module loads: the runtime,
 * kafkajs, the broker, the registry...). Starting the CLI for one command loads that command's module only.
 * A test checks this table against buildProgram().
 */
export const COMMAND_MODULES: Readonly<Record<string, () => Promise<Register>>> = {
  profile: async () => (await import('./commands/profile')).registerProfileCommand,
  acl: async () => (await import('./commands/acl')).registerAclCommand,
  broker: async () => (await import('./commands/broker')).registerBrokerCommand,
  registry: async () => (await import('./commands/registry')).registerRegistryCommand,
  init: async () => (await import('./commands/init')).registerInitCommand,
  dev: async () => (await import('./commands/dev')).registerDevCommand,
  contracts: async () => (await import('./commands/contracts')).registerContractsCommand,
  run: async () => (await import('./commands/run')).registerRunCommand,
  publish: async () => (await import('./commands/publish')).registerPublishCommand,
  dlq: async () => (await import('./commands/dlq')).registerDlqCommand,
  coordinator: async () => (await import('./commands/coordinator')).registerCoordinatorCommand,
  saga: async () => (await import('./commands/saga')).registerSagaCommand,
  state: async () => (await import('./commands/state')).registerStateCommand,
  topics: async () => (await import('./commands/topics/ls-describe-create')).registerTopicsCommand,
  tail: async () => (await import('./commands/topics/tail')).registerTailCommand,
  chaos: async () => (await import('./commands/chaos')).registerChaosCommand,
  trace: async () => (await import('./commands/trace')).registerTraceCommand,
  'trace-index': async () => (await import('./commands/trace')).registerTraceCommand,
  status: async () => (await import('./commands/status')).registerStatusCommand,
  agents: async () => (await import('./commands/agents')).registerAgentsCommand,
  console: async () => (await import('./commands/console')).registerConsoleCommand,
  alerts: async () => (await import('./commands/alerts')).registerAlertsCommand,
};

/** The program's own options that take a value. */
const VALUED_OPTIONS: ReadonlySet<string> = new Set(['--profile']);

/** The command a command line names: its first word that is neither an option nor an option's value. */
export function commandNameOf(argv: readonly string[]): string | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (VALUED_OPTIONS.has(args[i]!)) i++;
    else if (!args[i]!.startsWith('-')) return args[i];
  }
  return undefined;
}

/**
 * The program for one command line: no command for `mesh --version`, only the named command's module when the table
 * knows it, else every command (`mesh --help`, a command this table does not know yet), as buildProgram builds them.
 */
export async function programFor(argv: readonly string[]): Promise<Command> {
  const name = commandNameOf(argv);
  // `mesh --version` needs no command at all.
  if (argv.length === 3 && (argv[2] === '-V' || argv[2] === '--version')) return newProgram();
  const load = name === undefined || name === 'help' ? undefined : COMMAND_MODULES[name];
  if (!load) return (await import('./program')).buildProgram();
  const program = newProgram();
  (await load())(program);
  // As buildProgram finishes: --profile on the command (after it is registered).
  (await import('./profiles/install')).installProfiles(program);
  return program;
}
