import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The mesh command as an operator runs it: a separate process, lines on stdout, signals to stop.

const MESH = resolve(__dirname, '../../packages/cli/bin/mesh.js');

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

function mesh(args: string[], cwd?: string): Running {
  const child = spawn(process.execPath, [MESH, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stdout: () => out, stderr: () => err, exit: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]> };
}

/** Resolves with the first match of `pattern` on stdout; fails if the process exits first or time runs out. */
function waitForLine(run: Running, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stdout: ${run.stdout()} stderr: ${run.stderr()}`)), timeoutMs);
    const check = () => {
      const m = pattern.exec(run.stdout());
      if (m) finish(null, m);
    };
    const onExit = () => finish(new Error(`exited before printing ${pattern}; stdout: ${run.stdout()} stderr: ${run.stderr()}`));
    function finish(err: Error | null, m?: RegExpExecArray) {
      clearTimeout(timer);
      run.child.stdout!.off('data', check);
      run.child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    }
    run.child.stdout!.on('data', check);
    run.child.once('exit', onExit);
    check();
  });
}

async function occupyPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mesh-cli-'));
  tmp.push(d);
  return d;
};

describe('mesh broker', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('prints its address when listening and exits 0 on %s', async (signal) => {
    const run = mesh(['broker', '--port', '0']);
    const m = await waitForLine(run, /broker listening on 127\.0\.0\.1:(\d+)/);
    expect(Number(m[1])).toBeGreaterThan(0);
    run.child.kill(signal);
    expect(await run.exit).toEqual([0, null]);
  });

  it('refuses a taken port with one line naming the port and the flag', async () => {
    const { server, port } = await occupyPort();
    try {
      const run = mesh(['broker', '--port', String(port)]);
      expect((await run.exit)[0]).toBe(1);
      expect(run.stderr().trim()).toBe(`mesh: broker cannot listen: port ${port} on 127.0.0.1 is already in use; choose another with --port`);
    } finally {
      server.close();
    }
  });

  it.each([
    [['broker', '--port', 'abc'], /'abc' is not a port number/],
    [['broker', '--partitions', '0'], /'0' is not a positive whole number/],
    [['broker', '--bogus'], /unknown option '--bogus'/],
    [['no-such-command'], /unknown command 'no-such-command'/],
  ])('rejects bad input %j with a clear message', async (args, message) => {
    const run = mesh(args);
    const [code] = await run.exit;
    expect(code).not.toBe(0);
    expect(run.stderr()).toMatch(message);
    expect(run.stderr()).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('mesh dev', () => {
  it('starts broker and registry with a data dir, registers the contracts, and stops cleanly', async () => {
    const cwd = tempDir();
    const run = mesh(['dev', '--broker-port', '0', '--registry-port', '0', '--schemas', resolve(__dirname, '../../schemas')], cwd);
    const registryUrl = (await waitForLine(run, /schema registry listening on (http:\/\/\S+)/))[1]!;
    expect(run.stdout()).toMatch(/broker listening on 127\.0\.0\.1:\d+/);
    expect(run.stdout()).toContain(`data in ${join(cwd, '.mesh')}`);
    await waitForLine(run, /registered \d+ contracts/);
    const subjects = (await (await fetch(`${registryUrl}/subjects`)).json()) as string[];
    expect(subjects).toEqual(expect.arrayContaining(['invoices.received-value', 'mesh.heartbeats-value', 'saga.replies-value']));
    run.child.kill('SIGINT');
    expect(await run.exit).toEqual([0, null]);
  });

  it.each([
    ['--broker-port', ['--registry-port', '0']],
    ['--registry-port', ['--broker-port', '0']],
  ])('names the port and the flag %s when a port is taken', async (flag, others) => {
    const { server, port } = await occupyPort();
    try {
      const run = mesh(['dev', flag, String(port), ...others, '--no-contracts'], tempDir());
      expect((await run.exit)[0]).toBe(1);
      expect(run.stderr()).toContain(`port ${port} is taken by another process; choose another with ${flag}`);
    } finally {
      server.close();
    }
  });
});
