'use strict';
// The benchmarks' two modes: "durable", the way production runs (the broker with a data dir, Redis with AOF
// appendfsync everysec), and "memory" (the in-memory broker, Redis as configured). In durable mode the bench does
// not touch the shared Redis: it starts a private redis-server (AOF everysec, no RDB) on a free port of 127.0.0.1
// in a fresh directory, and a fresh data dir for the broker; both are removed at the end, also when the run fails
// or is interrupted (an exit hook; the server is a tracked child, killed with the others).
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { track, reap, sleep } = require('./processes');

/** sasl: the memory mode with every client on the broker's SASL_SSL listener (SCRAM-SHA-512, a CA made for the run). */
const MODES = ['durable', 'memory', 'sasl'];

/**
 * The modes to run, in order (the durable one first: it is the headline): BENCH_MODES (both | durable | memory |
 * a comma list) when set, else BENCH_DURABLE (1: durable only, 0: memory only), else both.
 */
function modesToRun(env = process.env) {
  const raw = (env.BENCH_MODES || '').trim();
  if (raw) {
    const list =
      raw === 'all'
        ? MODES
        : raw === 'both'
          ? ['durable', 'memory']
          : raw
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean);
    for (const m of list) if (!MODES.includes(m)) throw new Error(`BENCH_MODES: unknown mode ${m} (all, both, durable, memory, sasl)`);
    return MODES.filter((m) => list.includes(m));
  }
  const durable = (env.BENCH_DURABLE || '').trim();
  if (durable === '1') return ['durable'];
  if (durable === '0') return ['memory'];
  if (durable !== '') throw new Error(`BENCH_DURABLE must be 0 or 1, got ${durable}`);
  return MODES;
}

/** Directories and children to remove/kill however this process ends. */
const leftovers = new Set();
let exitHooked = false;
function onExitRemove(item) {
  leftovers.add(item);
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const it of leftovers) {
      try {
        if (it.child && it.child.exitCode === null && it.child.signalCode === null) it.child.kill('SIGKILL');
      } catch {
        /* gone */
      }
      try {
        fs.rmSync(it.dir, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    }
  });
}

/** A fresh directory for the broker's data; remove() deletes it (call after the broker stopped). */
function brokerDataDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-broker-data-'));
  const item = { dir };
  onExitRemove(item);
  return {
    dir,
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
      leftovers.delete(item);
    },
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket: resolves when the server answers +PONG. */
function ping(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.setTimeout(500, () => {
      s.destroy();
      reject(new Error('timeout'));
    });
    s.once('error', reject);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      s.destroy();
      if (d.toString().startsWith('+PONG')) resolve();
      else reject(new Error(d.toString().trim()));
    });
  });
}

/**
 * A private redis-server with AOF on, fsync every second, no RDB snapshots, bound to 127.0.0.1 on a free port,
 * its files in a fresh temp dir (its log: `logFile`). Resolves to { url, port, pid, dir, stop() }; stop() shuts
 * it down and removes its dir.
 */
async function startPrivateRedis(logFile) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-redis-aof-'));
  const item = { dir, child: null };
  onExitRemove(item);
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--dir', dir, '--daemonize', 'no', '--logfile', logFile];
    const child = track(spawn('redis-server', args, { stdio: 'ignore' }));
    item.child = child;
    let exited = null;
    child.once('exit', (code, sig) => (exited = `exit code ${code}, signal ${sig}`));
    const spawnError = new Promise((resolve) => child.once('error', resolve));
    const until = Date.now() + 10000;
    for (;;) {
      const err = await Promise.race([spawnError, sleep(0).then(() => null)]);
      if (err) {
        fs.rmSync(dir, { recursive: true, force: true });
        leftovers.delete(item);
        throw new Error(`cannot start redis-server (${err.code === 'ENOENT' ? 'not on PATH' : err.message}); durable mode needs it`);
      }
      if (exited) break;
      try {
        await ping(port);
        return {
          url: `redis://127.0.0.1:${port}`,
          port,
          pid: child.pid,
          dir,
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await reap(child, 5000);
            fs.rmSync(dir, { recursive: true, force: true });
            leftovers.delete(item);
          },
        };
      } catch (e) {
        lastError = e;
      }
      if (Date.now() > until) {
        child.kill('SIGKILL');
        await reap(child, 1000);
        exited = 'not answering PING within 10 s';
        break;
      }
      await sleep(50);
    }
    lastError = new Error(`redis-server on port ${port}: ${exited} (see ${logFile})`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  leftovers.delete(item);
  throw lastError;
}

/** What the server keeps across a crash, as it is configured: "appendonly no, save '...'" ("unknown" without CONFIG). */
async function redisPersistence(redis) {
  try {
    const get = async (k) => (await redis.config('GET', k))[1];
    const aof = await get('appendonly');
    const save = await get('save');
    return aof === 'yes' ? `appendonly yes, appendfsync ${await get('appendfsync')}, save '${save}'` : `appendonly no, save '${save}'`;
  } catch (err) {
    return `persistence unknown (CONFIG GET: ${err.message})`;
  }
}

/**
 * Starts what a mode needs besides the broker (which the bench's infra child starts, given `brokerDataDir`):
 * resolves to { mode, redisUrl, brokerDataDir (or undefined), describe(redis) (the line saying what runs; after
 * connecting), stop() }.
 */
/** A CA and a server certificate for 127.0.0.1 it signed, made with openssl for the sasl mode. */
function makeTlsFiles(workDir) {
  const dir = fs.mkdtempSync(path.join(workDir, 'tls-'));
  const openssl = (args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30000 });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=bench ca']);
  openssl(['req', ...key, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext']);
  return { caFile: path.join(dir, 'ca.pem'), certFile: path.join(dir, 'server.pem'), keyFile: path.join(dir, 'server.key'), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

async function setUpMode(mode, { redisUrl, workDir }) {
  if (mode === 'sasl') {
    const tls = makeTlsFiles(workDir);
    return {
      mode,
      redisUrl,
      brokerDataDir: undefined,
      security: { caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile, user: 'bench', password: 'bench-scram-password' },
      describe: async (redis) => `sasl: in-memory broker, every client over SASL_SSL (SCRAM-SHA-512, TLS 1.3), Redis as in memory (${redisUrl}: ${await redisPersistence(redis)})`,
      stop: async () => tls.remove(),
    };
  }
  if (mode === 'memory') {
    return {
      mode,
      redisUrl,
      brokerDataDir: undefined,
      describe: async (redis) => `in-memory broker, Redis without persistence as configured (${redisUrl}: ${await redisPersistence(redis)})`,
      stop: async () => {},
    };
  }
  const data = brokerDataDir();
  let server;
  try {
    server = await startPrivateRedis(path.join(workDir, 'redis-durable.log'));
  } catch (err) {
    data.remove();
    throw err;
  }
  return {
    mode,
    redisUrl: server.url,
    brokerDataDir: data.dir,
    describe: async (redis) =>
      `durable: broker --data-dir, Redis AOF everysec (broker data in ${data.dir}, no fsync per append, as \`mesh broker --data-dir\`; ` +
      `private redis-server ${server.url} [${await redisPersistence(redis)}], files in ${server.dir})`,
    async stop() {
      await server.stop().catch(() => {});
      data.remove();
    },
  };
}

module.exports = { MODES, modesToRun, setUpMode, startPrivateRedis, brokerDataDir };
