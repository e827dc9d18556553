import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryCodec, SchemaRegistryUnavailableError } from '@agentmesh/runtime';
import { loadMeshContracts } from '@agentmesh/schema-registry';
import { MESH, runMesh } from '../support/mesh-cli';
import { CONNECTION_ENV_UNSET } from '../support/secured-kafka';

// The embedded registry with basic auth (`mesh registry --basic-auth-file`), and the mesh's registry clients
// (the codec, `mesh contracts register`) sending SCHEMA_REGISTRY_USERNAME / SCHEMA_REGISTRY_PASSWORD(_FILE).

const PASSWORD = 'Rg4-distinctive-registry-secret';
let dir: string;
let url: string;
let stopRegistry: () => void;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'registry-auth-'));
  writeFileSync(join(dir, 'users'), `# who may use the registry\nsr-user:${PASSWORD}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'password'), `${PASSWORD}\n`, { mode: 0o600 });
  // A project with no contracts of its own: `mesh contracts register` registers the mesh's.
  writeFileSync(join(dir, 'topics.json'), '{}\n');
  const child = spawn(process.execPath, [MESH, 'registry', '--port', '0', '--memory', '--basic-auth-file', join(dir, 'users')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...CONNECTION_ENV_UNSET },
  });
  stopRegistry = () => child.kill('SIGKILL');
  let out = '';
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mesh registry did not start: ${out}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /listening on (http:\/\/\S+) .*basic auth required \(1 users\)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', () => reject(new Error(`mesh registry exited: ${out}`)));
  });
}, 40_000);

afterAll(() => {
  stopRegistry?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('a registry that requires basic auth', () => {
  it('answers 401 without credentials', async () => {
    const response = await fetch(`${url}/subjects`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="schema-registry"');
  });

  it('serves the codec that has the credentials, and refuses the one without', async () => {
    const [contract] = loadMeshContracts();
    const registered = await fetch(`${url}/subjects/${contract!.subject}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`sr-user:${PASSWORD}`).toString('base64')}` },
      body: JSON.stringify({ schema: contract!.canonical }),
    });
    expect(registered.status).toBe(200);
    const withAuth = new RegistryCodec({ url, auth: { kind: 'basic', username: 'sr-user', password: PASSWORD }, retries: 0 });
    expect((await withAuth.latestSchema(contract!.topic))?.id).toEqual(expect.any(Number) as number);
    const without = new RegistryCodec({ url, retries: 0, requestTimeoutMs: 3_000 });
    await expect(without.latestSchema(contract!.topic)).rejects.toBeInstanceOf(SchemaRegistryUnavailableError);
  });

  it('takes the credentials from the environment in mesh contracts register, the password from a file', async () => {
    const env = { ...CONNECTION_ENV_UNSET, SCHEMA_REGISTRY_URL: url, SCHEMA_REGISTRY_USERNAME: 'sr-user', SCHEMA_REGISTRY_PASSWORD_FILE: join(dir, 'password') };
    const ok = await runMesh(['contracts', 'register', dir], env, 30_000);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/contracts registered at http:\/\/127\.0\.0\.1:\d+\n$/);
    const refused = await runMesh(['contracts', 'register', dir], { ...env, SCHEMA_REGISTRY_PASSWORD_FILE: undefined, SCHEMA_REGISTRY_PASSWORD: 'wrong-Rg4' }, 30_000);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/HTTP 401/);
    for (const output of [ok.stdout, ok.stderr, refused.stdout, refused.stderr]) {
      expect(output).not.toContain(PASSWORD);
      expect(output).not.toContain('wrong-Rg4');
    }
  });

  it('sends a bearer token instead, when that is the setting', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers);
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error_code":40401,"message":"Subject not found"}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const codec = new RegistryCodec({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, auth: { kind: 'bearer', token: 'tok-123' }, retries: 0 });
      await expect(codec.latestSchema('any-topic')).resolves.toBeNull();
      expect(seen[0]?.authorization).toBe('Bearer tok-123');
    } finally {
      server.close();
    }
  });
});
