import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } from 'kafkajs';
import { MESH, runMesh } from '../support/mesh-cli';
import { makeTestCertificates, type TestCertificates } from './support/test-certificates';

// `mesh broker` with Kafka-named security flags: a SASL_SSL listener beside a PLAINTEXT one, users from a file,
// a super user and the authorizer; and one-line refusals of settings that cannot work.

let certs: TestCertificates;
let usersFile: string;

beforeAll(() => {
  certs = makeTestCertificates();
  usersFile = join(certs.dir, 'users.json');
  writeFileSync(
    usersFile,
    JSON.stringify({
      users: [
        { name: 'admin', password: 'admin-pw' },
        { name: 'app', password: 'app-pw', mechanisms: ['SCRAM-SHA-512'] },
      ],
    }),
  );
});
afterAll(() => certs?.remove());

/** Starts `mesh broker`, resolves with its listeners line (bounded), and the child to stop. */
async function startMeshBroker(args: string[]): Promise<{ child: ChildProcess; listeners: Map<string, string> }> {
  const child = spawn(process.execPath, [MESH, 'broker', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mesh broker printed no listeners within 20 s; stderr: ${err}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^listeners: (.*)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`mesh broker exited early; stderr: ${err}`));
    });
  });
  const listeners = new Map(line.split(', ').map((l) => l.split('://') as [string, string]));
  return { child, listeners };
}

describe('mesh broker with security flags', () => {
  it('serves SASL_SSL with users from a file, the authorizer and a super user', async () => {
    const { child, listeners } = await startMeshBroker([
      '--listeners',
      'SASL_SSL://127.0.0.1:0,PLAINTEXT://127.0.0.1:0',
      '--ssl-cert-file',
      certs.certFile,
      '--ssl-key-file',
      certs.keyFile,
      '--sasl-users-file',
      usersFile,
      '--super-users',
      'User:admin',
      '--node-id',
      '5',
      '--log-level',
      'warn',
    ]);
    try {
      const ssl = { ca: [readFileSync(certs.caFile, 'utf8')] };
      const as = (username: string, password: string) =>
        new Kafka({ clientId: 'cli-sec', brokers: [listeners.get('SASL_SSL')!], ssl, sasl: { mechanism: 'scram-sha-512', username, password }, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
      const admin = as('admin', 'admin-pw').admin();
      await admin.connect();
      expect((await admin.describeCluster()).controller).toBe(5);
      await admin.createAcls({
        acl: [
          {
            resourceType: AclResourceTypes.TOPIC,
            resourceName: 'cli.',
            resourcePatternType: ResourcePatternTypes.PREFIXED,
            principal: 'User:app',
            host: '*',
            operation: AclOperationTypes.ALL,
            permissionType: AclPermissionTypes.ALLOW,
          },
        ],
      });
      await admin.disconnect();
      const producer = as('app', 'app-pw').producer();
      await producer.connect();
      await producer.send({ topic: 'cli.events', messages: [{ value: 'via mesh broker' }] });
      const refused = await producer.send({ topic: 'other.events', messages: [{ value: 'no' }] }).then(
        () => null,
        (e: { cause?: { type?: string } }) => e.cause?.type,
      );
      expect(refused).toBe('TOPIC_AUTHORIZATION_FAILED');
      await producer.disconnect();
      // The PLAINTEXT listener is ANONYMOUS, which has no ACL: it sees no topics.
      const anonymous = new Kafka({ clientId: 'anon', brokers: [listeners.get('PLAINTEXT')!], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
      await anonymous.connect();
      expect(await anonymous.listTopics()).toEqual([]);
      await anonymous.disconnect();
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it.each([
    [['--listeners', 'SSL://127.0.0.1:0'], 'mesh: listener SSL needs a TLS certificate and key (tls.certFile and tls.keyFile; mesh broker: --ssl-cert-file and --ssl-key-file)'],
    [['--listeners', 'SASL_PLAINTEXT://127.0.0.1:0', '--sasl-users-file', '/nonexistent/users.json'], 'mesh: SASL users file /nonexistent/users.json does not exist'],
    [['--listeners', 'KERBEROS://127.0.0.1:0'], "mesh: listener 'KERBEROS://127.0.0.1:0': 'KERBEROS' is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"],
    [['--listeners', 'PLAINTEXT://127.0.0.1:0', '--port', '9999'], 'mesh: --host and --port describe the default listener; with --listeners, put the host and port there'],
  ])('refuses %j in one line', async (args, message) => {
    const { code, stderr } = await runMesh(['broker', ...args]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(message);
  });

  it('refuses an unknown SASL mechanism and a malformed super user list', async () => {
    const mech = await runMesh(['broker', '--sasl-enabled-mechanisms', 'GSSAPI']);
    expect(mech.stderr).toMatch(/'GSSAPI' is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/);
    const supers = await runMesh(['broker', '--super-users', 'admin']);
    expect(supers.stderr).toMatch(/'admin' is not a principal list like User:admin;User:ops/);
  });
});
