import { AgentDefinitionError } from '@agentmesh/runtime';
import { AclPlanError, loadAgentModule, planAgentAcls, type AclPlan } from '@agentmesh/runtime/internal';
import { DEFAULT_COORDINATOR_GROUP, planCoordinatorAcls } from '@agentmesh/coordinator';
import type { Command } from 'commander';
import { kafkaClient, kafkaErrorMessage } from '../../kafka';
import { parseBrokerList, UsageError } from '../../options';
import { enableTypeScriptFor } from '../../typescript/typescript-modules';
import { loadSagas } from '../coordinator';
import { BROKERS_HELP, brokersOf } from '../dlq/common';
import { applyAclPlan } from './apply';
import { aclPlanJson, kafkaAclsLines } from './kafka-acls-lines';

interface PlanFlags {
  principal?: string;
  coordinator: boolean;
  sagas?: string[];
  group: string;
  chaosControl: boolean;
  json: boolean;
  apply: boolean;
  brokers?: string[];
  commandConfig?: string;
}

function collectPaths(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The plan the flags ask for: an agent module's, or with --coordinator the coordinator's for its sagas. */
function planFor(modulePath: string | undefined, flags: PlanFlags): AclPlan {
  try {
    if (flags.coordinator) {
      if (modulePath !== undefined) throw new UsageError(`--coordinator plans for the sagas of --sagas, not for an agent module ('${modulePath}')`);
      enableTypeScriptFor(flags.sagas ?? []);
      return planCoordinatorAcls(loadSagas(flags.sagas ?? []), { groupId: flags.group, ...(flags.principal !== undefined ? { principal: flags.principal } : {}) });
    }
    if (modulePath === undefined) throw new UsageError('name the agent module to plan for (mesh acl plan ./agents/ocr.js), or --coordinator --sagas <module>');
    enableTypeScriptFor([modulePath]);
    return planAgentAcls(loadAgentModule(modulePath), { chaosControl: flags.chaosControl, ...(flags.principal !== undefined ? { principal: flags.principal } : {}) });
  } catch (error) {
    if (error instanceof AgentDefinitionError || error instanceof AclPlanError) throw new UsageError(error.message);
    throw error;
  }
}

/** Creates the plan's ACLs with the CLI's connection (brokers, TLS and SASL as for every command). */
async function apply(plan: AclPlan, brokers: readonly string[]): Promise<number> {
  const admin = kafkaClient(brokers, 'mesh-acl').admin();
  try {
    await admin.connect();
    return await applyAclPlan(admin, plan);
  } catch (error) {
    throw new UsageError(
      `could not create the ACLs of ${plan.subject} on ${brokers.join(',')}: ${kafkaErrorMessage(error)} (creating ACLs takes ALTER on the cluster: a super user or an admin principal)`,
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** `mesh acl plan`: the least ACLs an agent (or the coordinator) needs, as kafka-acls.sh lines or JSON, or created. */
export function registerAclCommand(program: Command): void {
  const acl = program.command('acl').description("Kafka ACLs of the mesh's processes, each as its own principal");
  acl
    .command('plan')
    .description("print the least ACLs an agent needs, read from its definition (or --coordinator: the coordinator's), as kafka-acls.sh commands; --apply creates them")
    .argument('[module]', 'the agent module (JavaScript or TypeScript) whose default export is defineAgent({...})')
    .option('--principal <principal>', 'the principal to grant (default: User:<agent name>, or User:<group> with --coordinator)')
    .option('--no-chaos-control', 'leave out the chaos listener on mesh.control (mesh run always starts it; startWorker only with `chaos`)')
    .option('--coordinator', 'plan for the saga coordinator of the --sagas modules instead of an agent', false)
    .option('--sagas <module>', 'with --coordinator: a module exporting sagas (repeatable)', collectPaths)
    .option('--group <id>', "with --coordinator: the coordinator's consumer group", DEFAULT_COORDINATOR_GROUP)
    .option('--json', 'print the plan as JSON (each binding: resourceType, resourceName, patternType, principal, host, operation, permission, why)', false)
    .option('--apply', 'create the ACLs on the brokers (CreateAcls; needs ALTER on the cluster) instead of printing them', false)
    .option('--brokers <list>', `${BROKERS_HELP}; also the --bootstrap-server of the printed commands`, parseBrokerList)
    .option('--command-config <file>', 'kafka-acls.sh --command-config in the printed commands (the admin client properties of a secured cluster)')
    .addHelpText(
      'after',
      [
        '',
        "Topics are named literally (an agent gets no prefix that could cover another agent's topics). The topics an agent",
        'reads or writes but does not create (its sources, its outputs, mesh.heartbeats) are listed to create first.',
        'A handler writing to a topic it was not granted has that event dead-lettered, naming TOPIC_AUTHORIZATION_FAILED.',
      ].join('\n'),
    )
    .action(async (modulePath: string | undefined, flags: PlanFlags) => {
      const plan = planFor(modulePath, flags);
      const brokers = brokersOf(flags);
      if (flags.apply) {
        const created = await apply(plan, brokers);
        const first = plan.topicsToCreateFirst.length > 0 ? `; create first if missing: ${plan.topicsToCreateFirst.join(', ')}` : '';
        process.stdout.write(`created ${created} ACLs for ${plan.principal} (${plan.subject}) on ${brokers.join(',')}${first}\n`);
        return;
      }
      const lines = flags.json ? [aclPlanJson(plan)] : kafkaAclsLines(plan, { bootstrapServers: brokers, ...(flags.commandConfig !== undefined ? { commandConfig: flags.commandConfig } : {}) });
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
