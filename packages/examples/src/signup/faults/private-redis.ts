import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * A redis-server of the harness's own, with an append-only file: killed with
 * SIGKILL and started again on the same port and directory, it comes back
 * with what it had acknowledged (the AOF is written before a reply goes out;
 * `everysec` only bounds what an OS crash could lose, and nothing here
 * crashes the OS). The shared Redis is never touched.
 */

export interface PrivateRedisOptions {
  /** The server's directory: its append-only files live here. Created if missing. */
  dir: string;
  /** Each start's output goes to `redis.<n>.log` here. */
  logDir: string;
  /** Default: a free port, asked of the OS. */
  port?: number;
  /** Default `redis-server` (from PATH). */
  command?: string;
  /** Bound on a start, until the server accepts connections. Default 10 s. */
  readyTimeoutMs?: number;
  /** Once aborted, the server is killed (SIGKILL). */
  signal?: AbortSignal;
}

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Whether a server process is running now. */
  isRunning(): boolean;
  /** SIGKILL; resolves once the process has exited. Nothing when none runs. */
  kill(): Promise<void>;
  /** Starts the server again (same port, same directory: it loads its AOF); resolves once it accepts connections. */
  start(): Promise<void>;
  /** Log files of every start so far. */
  logFiles(): string[];
}

const READY_LINE = 'Ready to accept connections';

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  if (port === 0) throw new Error('the OS gave no free port');
  return port;
}

/** The server's command-line flags: AOF on (fsync every second), no RDB snapshots, loopback only. */
export function privateRedisArgs(port: number, dir: string): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--protected-mode', 'no', '--daemonize', 'no'];
}

async function launch(command: string, port: number, dir: string, logFile: string, timeoutMs: number): Promise<ChildProcess> {
  const child = spawn(command, privateRedisArgs(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log, { end: false });
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`redis-server on port ${port} was not ready within ${timeoutMs} ms; see ${logFile}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        // Only the tail matters, and only until the ready line shows.
        output = (output + chunk.toString()).slice(-4096);
        if (output.includes(READY_LINE)) finish();
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        finish(new Error(`redis-server on port ${port} exited before it was ready (${signal ?? `exit code ${code}`}); see ${logFile}`));
      const onError = (error: Error) => finish(new Error(`cannot run ${command}: ${error.message}`));
      function finish(error?: Error) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        child.off('error', onError);
        if (error) reject(error);
        else resolve();
      }
      child.stdout!.on('data', onData);
      child.once('exit', onExit);
      child.once('error', onError);
    });
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const gone = once(child, 'exit');
      child.kill('SIGKILL');
      await gone;
    }
    throw error;
  }
  return child;
}

/** Starts the server on a free port (or the one given) and resolves once it accepts connections. */
export async function startPrivateRedis(options: PrivateRedisOptions): Promise<PrivateRedis> {
  mkdirSync(options.dir, { recursive: true });
  mkdirSync(options.logDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const command = options.command ?? 'redis-server';
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const logs: string[] = [];
  let child: ChildProcess | undefined;
  const alive = (c: ChildProcess | undefined): c is ChildProcess => c !== undefined && c.exitCode === null && c.signalCode === null;
  const killNow = () => void (alive(child) && child.kill('SIGKILL'));
  options.signal?.addEventListener('abort', killNow, { once: true });

  const redis: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir: options.dir,
    isRunning: () => alive(child),
    async kill() {
      const running = child;
      child = undefined;
      if (!alive(running)) return;
      const gone = once(running, 'exit');
      running.kill('SIGKILL');
      await gone;
    },
    async start() {
      if (options.signal?.aborted) throw new Error('the run was aborted: not starting redis-server');
      if (alive(child)) throw new Error(`redis-server on port ${port} is running already (pid ${child.pid})`);
      const logFile = join(options.logDir, `redis.${logs.length + 1}.log`);
      logs.push(logFile);
      child = await launch(command, port, options.dir, logFile, readyTimeoutMs);
      // Aborted while it was starting: the listener above found no child to kill.
      if (options.signal?.aborted) killNow();
    },
    logFiles: () => [...logs],
  };
  await redis.start();
  return redis;
}
