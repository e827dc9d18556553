export { startBroker, BrokerListenError } from './broker';
export type { BrokerOptions, RunningBroker } from './broker';
