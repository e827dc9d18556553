import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { MESH } from '../support/mesh-cli';

/** What a process loads to register `mesh status` (the built CLI, as `mesh` runs it): module paths. */
function modulesLoadedBy(modulePath: string): string[] {
  const script = `require(${JSON.stringify(modulePath)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 })) as string[];
}

// The runtime's libraries that reading the fleet has no use for: a one-shot `mesh status` paid for loading them at every start.
const HEAVY = ['/node_modules/prom-client/', '/node_modules/ioredis/', '/node_modules/@opentelemetry/', '/node_modules/@kafkajs/confluent-schema-registry/', '/node_modules/pino/'];

describe('what mesh status loads', () => {
  const cliDist = join(dirname(MESH), '..', 'dist');

  it('takes the runtime through its narrow fleet subpath: neither barrel, nor Redis, tracing, metrics or the registry client', () => {
    const loaded = modulesLoadedBy(join(cliDist, 'commands', 'status', 'index.js'));
    expect(loaded.some((m) => m.endsWith(join('runtime', 'dist', 'internal-fleet.js')))).toBe(true);
    expect(loaded.filter((m) => m.endsWith(join('runtime', 'dist', 'index.js')) || m.endsWith(join('runtime', 'dist', 'internal.js')))).toEqual([]);
    expect(loaded.filter((m) => HEAVY.some((h) => m.includes(h)))).toEqual([]);
  });
});
