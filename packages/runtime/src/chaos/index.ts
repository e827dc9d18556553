// The chaos concern: commands on mesh.control, the decisions about them, and the faults they put in force.
export {
  ANY_BREAKER,
  CONTROL_TOPIC,
  CONTROL_TOPIC_SPEC,
  CRASH_FRESH_MS,
  HANDLER_TARGET,
  decideCommand,
  faultFor,
  type ActiveFault,
  type CallSite,
  type ChaosSelf,
  type CommandDecision,
  type ControlRecord,
  type LastingFault,
} from './command';
export { ChaosControl, type ChaosControlOptions } from './control';
export { ChaosCounter, ChaosFaults, ChaosInjectedError } from './faults';
export { chaosBreaker, chaosCodec, chaosStore } from './wrappers';
