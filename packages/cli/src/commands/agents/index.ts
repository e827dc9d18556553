import { Argument, type Command } from 'commander';
import { UsageError } from '../../options';
import { fleetOptions, fleetReader, readView, windowText, type FleetFlags } from '../status/common';
import { renderAgent } from './render';

/** `mesh agents show <name>`: one agent's (or coordinator group's) instances, partitions, recent anomalies and alerts. */
export function registerAgentsCommand(program: Command): void {
  const agents = program.command('agents').description('the agents of the mesh, as their heartbeats show them');
  fleetOptions(
    agents.command('show').description("an agent's instances, partitions with their lag, recent anomalies and alerts").addArgument(new Argument('<name>', 'the agent (or saga coordinator group)')),
  ).action(async (name: string, flags: FleetFlags) => {
    const { reader, brokers } = fleetReader(flags);
    try {
      const view = await readView(reader, brokers, flags.window);
      const agent = view.fleet.agents.find((a) => a.name === name);
      if (!agent) {
        const known = view.fleet.agents.map((a) => a.name);
        throw new UsageError(`no agent '${name}' has sent a heartbeat in the last ${windowText(flags.window)} (agents seen: ${known.join(', ')})`);
      }
      const alerts = view.alerts.filter((a) => a.subject === name);
      process.stdout.write(flags.json ? `${JSON.stringify({ agent, alerts })}\n` : renderAgent(agent, alerts, view.fleet.at));
    } finally {
      await reader.close();
    }
  });
}
