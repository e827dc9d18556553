import { redactRedisUrl } from '@agentmesh/runtime/internal';

/**
 * The Redis the end-to-end suites share: $REDIS_URL, else the local default. Tests take it from here
 * (never a port of their own), so the suites pass against a Redis on any host and port.
 */
export const TEST_REDIS_URL = process.env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379';

/** The URL as the mesh prints it (password hidden), escaped for a RegExp. */
export function printedRedisPattern(url: string = TEST_REDIS_URL): string {
  return redactRedisUrl(url).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
