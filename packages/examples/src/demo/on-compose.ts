import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * `npm run demo:kafka`: the invoice demo on Apache Kafka and Confluent's schema registry from
 * docker-compose.kafka.yml. Brings the services up (waiting for their health checks), runs the demo
 * against them and takes them down again, whatever the demo's outcome. Without a Docker engine (or its
 * compose plugin) it says so in one line and exits 0: there is nothing to run it on.
 */

/** The compose file at the repository's root, beside package.json. */
export const COMPOSE_FILE = resolve(__dirname, '..', '..', '..', '..', 'docker-compose.kafka.yml');
/** Where the compose file publishes Kafka and the registry (the mesh's default endpoints). */
export const COMPOSE_KAFKA = { brokers: ['127.0.0.1:9092'], registryUrl: 'http://127.0.0.1:8081' };

/** The services to bring up: Redis too, unless REDIS_URL names one already running. */
export function composeServices(env: NodeJS.ProcessEnv): string[] {
  return env.REDIS_URL?.trim() ? ['kafka', 'schema-registry'] : ['kafka', 'schema-registry', 'redis'];
}

export function composeArgs(action: 'up' | 'down', services: readonly string[], file = COMPOSE_FILE): string[] {
  const base = ['compose', '-f', file];
  return action === 'up' ? [...base, 'up', '--detach', '--wait', ...services] : [...base, 'down'];
}

/** Why Docker cannot run the compose file, from `docker compose version`'s and `docker info`'s outcomes; undefined when it can. */
export function dockerProblem(compose: ProbeResult, info: ProbeResult): string | undefined {
  const first = (p: ProbeResult) =>
    (
      p.error ??
      p.stderr
        .trim()
        .split('\n')
        .find((l) => l.trim() !== '') ??
      `exit code ${p.status}`
    ).trim();
  if (info.error?.includes('ENOENT')) return 'no docker command';
  if (info.status !== 0) return `no Docker engine reachable (${first(info)})`;
  if (compose.status !== 0) return `no docker compose plugin (${first(compose)})`;
  return undefined;
}

export interface ProbeResult {
  status: number | null;
  stderr: string;
  error?: string;
}

function probe(args: string[]): ProbeResult {
  const run = spawnSync('docker', args, { encoding: 'utf8', timeout: 15_000 });
  return { status: run.status, stderr: run.stderr ?? '', ...(run.error ? { error: run.error.message } : {}) };
}

function docker(args: string[]): Promise<number> {
  return new Promise((done) => {
    const child = spawn('docker', args, { stdio: 'inherit' });
    child.on('error', () => done(1));
    child.on('exit', (code) => done(code ?? 1));
  });
}

/** Runs the built demo on the composed services; its flags (--invoices, --timeout) pass through. */
function demo(argv: readonly string[]): Promise<number> {
  const main = resolve(__dirname, 'main.js');
  const args = [main, ...argv, '--brokers', COMPOSE_KAFKA.brokers.join(','), '--registry', COMPOSE_KAFKA.registryUrl];
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    // Ctrl-C reaches the demo too (same process group); the compose services still come down below.
    process.once('SIGINT', () => undefined);
    child.on('exit', (code) => done(code ?? 1));
  });
}

export async function runDemoOnCompose(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const problem = dockerProblem(probe(['compose', 'version']), probe(['info', '--format', '{{.ServerVersion}}']));
  if (problem !== undefined) {
    process.stdout.write(`demo:kafka needs Docker to run ${COMPOSE_FILE}: ${problem}; nothing started (npm start runs the demo on the embedded broker)\n`);
    return 0;
  }
  const services = composeServices(env);
  process.stdout.write(`Bringing up ${services.join(', ')} from ${COMPOSE_FILE}\n`);
  try {
    const up = await docker(composeArgs('up', services));
    if (up !== 0) {
      process.stderr.write(`docker compose up failed (exit code ${up}); see its output above\n`);
      return 1;
    }
    return await demo(argv);
  } finally {
    process.stdout.write('Taking the compose services down\n');
    await docker(composeArgs('down', services));
  }
}

if (require.main === module) {
  runDemoOnCompose(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`demo:kafka: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
