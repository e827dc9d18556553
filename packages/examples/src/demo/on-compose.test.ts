import { existsSync } from 'node:fs';
import { COMPOSE_FILE, composeArgs, composeServices, dockerProblem } from './on-compose';
import { parseDemoArgs } from './main';

describe('npm run demo:kafka', () => {
  it('finds the compose file at the repository root', () => {
    expect(existsSync(COMPOSE_FILE)).toBe(true);
  });

  it('brings up Kafka, the registry and Redis, leaving Redis out when REDIS_URL names one', () => {
    expect(composeServices({})).toEqual(['kafka', 'schema-registry', 'redis']);
    expect(composeServices({ REDIS_URL: 'redis://10.0.0.5:6380' })).toEqual(['kafka', 'schema-registry']);
    expect(composeArgs('up', ['kafka'], 'f.yml')).toEqual(['compose', '-f', 'f.yml', 'up', '--detach', '--wait', 'kafka']);
    expect(composeArgs('down', ['kafka'], 'f.yml')).toEqual(['compose', '-f', 'f.yml', 'down']);
  });

  it('names what is missing: the docker command, an engine, or its compose plugin', () => {
    const ok = { status: 0, stderr: '' };
    const none = { status: null, stderr: '', error: 'spawnSync docker ENOENT' };
    expect(dockerProblem(none, none)).toBe('no docker command');
    expect(dockerProblem({ status: 1, stderr: "docker: 'compose' is not a docker command.\nSee 'docker --help'" }, ok)).toBe("no docker compose plugin (docker: 'compose' is not a docker command.)");
    expect(dockerProblem(ok, { status: 1, stderr: '\nCannot connect to the Docker daemon at unix:///var/run/docker.sock.\n' })).toBe(
      'no Docker engine reachable (Cannot connect to the Docker daemon at unix:///var/run/docker.sock.)',
    );
    expect(dockerProblem(ok, ok)).toBeUndefined();
  });
});

describe("the demo's endpoints", () => {
  it('runs on a given Kafka and registry with --brokers and --registry, both or neither', () => {
    expect(parseDemoArgs(['--invoices', '5', '--brokers', 'k1:9092,k2:9092', '--registry', 'http://r:8081'])).toEqual({
      help: false,
      invoices: 5,
      external: { brokers: ['k1:9092', 'k2:9092'], registryUrl: 'http://r:8081' },
    });
    expect(parseDemoArgs([])).toEqual({ help: false });
    expect(() => parseDemoArgs(['--brokers', 'k1:9092'])).toThrow(/^--brokers and --registry go together/);
    expect(() => parseDemoArgs(['--registry'])).toThrow(/^--registry needs a value/);
  });
});
