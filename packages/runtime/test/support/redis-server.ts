import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** A throwaway redis-server this test owns, so it can be killed and restarted without touching the shared one. */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** SIGKILL, resolved once the process has exited. */
  kill(): Promise<void>;
  /** Starts a new server on the same port, resolved once it accepts connections. */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that holds connections open but never answers. */
  freeze(): void;
  thaw(): void;
}

const READY_LINE = 'Ready to accept connections';

async function launch(port: number, timeoutMs: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`redis-server on ${port} not ready within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY_LINE)) done();
    };
    const onExit = (code: number | null) => fail(new Error(`redis-server on ${port} exited (${code}):\n${output}`));
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    const done = () => (cleanup(), resolve());
    const fail = (error: Error) => (cleanup(), child.kill('SIGKILL'), reject(error));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
  child.stdout?.resume(); // keep draining so a chatty server never blocks on a full pipe
  child.stderr?.resume();
  return child;
}

export async function startPrivateRedis(timeoutMs = 5000): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined = await launch(port, timeoutMs);
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    async restart() {
      await kill();
      child = await launch(port, timeoutMs);
    },
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
  };
}

/** Polls `probe` until it resolves, every intervalMs, failing after timeoutMs. For conditions that emit no event. */
export async function eventually(probe: () => Promise<unknown>, timeoutMs: number, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
  throw new Error(`condition not met within ${timeoutMs} ms: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}
