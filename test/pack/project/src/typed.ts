// Type-checked against the installed packages' declarations, reached through their exports maps.
import { startBroker, type RunningBroker } from '@agentmesh/broker';
import { defineSaga } from '@agentmesh/coordinator';
import { buildProgram } from '@agentmesh/cli';
import { defineAgent, type Agent } from '@agentmesh/runtime';
import { loadMeshContracts, type AgentHeartbeat, type Contract } from '@agentmesh/schema-registry';

interface OrderPlaced {
  orderId: string;
  totalCents: number;
}

export const agent: Agent = defineAgent({
  name: 'typed-order-checker',
  consumes: ['orders.placed'],
  produces: ['orders.accepted'],
  async handle(event) {
    const order = event.value as OrderPlaced;
    return [{ topic: 'orders.accepted', value: { orderId: order.orderId, accepted: order.totalCents > 0 } }];
  },
});

export const heartbeatAgent = (heartbeat: AgentHeartbeat): string => heartbeat.agent;
export const meshTopics = (): string[] => loadMeshContracts().map((contract: Contract) => contract.topic);
export const broker = (): Promise<RunningBroker> => startBroker({ port: 0 });
export const sagaFactory: typeof defineSaga = defineSaga;
export const programName = (): string => buildProgram().name();
