export { buildProgram } from './program';
export { DEFAULT_ENDPOINTS, endpoint } from './defaults';
export type { EndpointName } from './defaults';
