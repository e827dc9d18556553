export * from '@agentmesh/coordinator';
export { PermanentError } from '@agentmesh/runtime';
