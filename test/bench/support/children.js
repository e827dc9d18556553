'use strict';
// Benchmark children and the driver's RPC with them. A bench file is both: run as `node x.bench.js` it is the
// driver, run as `node x.bench.js --child=<kind>` (by startChild) it is one of its children, which talk to the
// driver over IPC only: {type: 'ready'} once started, {type: 'error'} when they fail, and a {type: 'reply', id}
// to each request {type, id, ...} of the driver's.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const { track, withTimeout, reap, killChildrenOnExit, runMain } = require('./processes');

/**
 * The entry of a bench file: with `--child=<kind>` it runs that child (`kinds`: kind -> start(send)), else the
 * driver's `main`, with every child killed on any exit path of the driver.
 */
function benchEntry(kinds, main) {
  const childArg = process.argv.find((a) => a.startsWith('--child='));
  if (childArg) {
    childMain(childArg.slice('--child='.length), kinds);
  } else {
    killChildrenOnExit();
    runMain(main);
  }
}

/** Runs child `kind`: reports a failure to the driver and exits 1; never outlives the driver. */
function childMain(kind, kinds) {
  const send = (msg) => process.send && process.send(msg);
  process.on('disconnect', () => process.exit(0)); // the driver is gone: never outlive it
  const fail = (err) => {
    send({ type: 'error', message: String((err && err.stack) || err) });
    setTimeout(() => process.exit(1), 100);
  };
  process.on('unhandledRejection', fail);
  const start = Object.prototype.hasOwnProperty.call(kinds, kind) ? kinds[kind] : null;
  if (!start) return fail(new Error(`unknown child kind ${kind}`));
  return start(send).catch(fail);
}

/** Runs `stop` and exits: 0 when it resolves, 4 when it rejects, 3 when it takes longer than `forceMs`. */
function exitAfter(stop, forceMs) {
  const force = setTimeout(() => process.exit(3), forceMs);
  return Promise.resolve()
    .then(stop)
    .then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      () => process.exit(4),
    );
}

/** A child with nothing to answer but the driver's 'stop'. */
function exitOnStop(stop, forceMs = 5000) {
  process.on('message', (msg) => {
    if (msg.type === 'stop') exitAfter(stop, forceMs);
  });
}

/**
 * A child's control channel: 'profile-start' and 'profile-stop' (a V8 CPU profile, written to msg.file), 'stop'
 * (runs `stop`, then exits), and the child's own requests: `handlers[type](msg)`, answered with what it returns.
 */
const HEAP_PROFILE = process.env.BENCH_HEAP_PROFILE === '1';

function serveControl(send, stop, handlers = {}) {
  const inspector = require('node:inspector');
  let session = null;
  const post = (method, params = {}) => new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  process.on('message', (msg) => {
    const reply = (p) =>
      p.then(
        (body) => send({ type: 'reply', id: msg.id, body }),
        (err) => send({ type: 'reply', id: msg.id, error: String((err && err.stack) || err) }),
      );
    if (Object.prototype.hasOwnProperty.call(handlers, msg.type)) return reply(Promise.resolve().then(() => handlers[msg.type](msg)));
    switch (msg.type) {
      case 'profile-start':
        session = new inspector.Session();
        session.connect();
        return reply(
          post('Profiler.enable')
            .then(() => post('Profiler.setSamplingInterval', { interval: 250 }))
            .then(() => post('Profiler.start'))
            // BENCH_HEAP_PROFILE=1: also sample every allocation, garbage included (where GC work comes from).
            .then(() => (HEAP_PROFILE ? post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }) : undefined)),
        );
      case 'profile-stop':
        return reply(
          post('Profiler.stop').then(async ({ profile }) => {
            fs.writeFileSync(msg.file, JSON.stringify(profile));
            if (HEAP_PROFILE) fs.writeFileSync(msg.file.replace(/\.cpuprofile$/, '.heapprofile'), JSON.stringify((await post('HeapProfiler.stopSampling')).profile));
            session.disconnect();
            return msg.file;
          }),
        );
      case 'stop':
        return exitAfter(stop, 15000);
      default:
        return undefined;
    }
  });
}

/**
 * Starts `node <script> --child=<kind>` (stdout and stderr appended to `logFile`, `env` added to this process's)
 * and resolves once it says ready, with: its pid, its ready message, call(type, extra, ms) (a request, bounded)
 * and stop(graceMs) (asks it to stop, then reaps it).
 */
async function startChild(script, kind, env, timeoutMs, logFile) {
  const out = fs.openSync(logFile, 'a');
  const child = track(
    spawn(process.execPath, [script, `--child=${kind}`], {
      stdio: ['ignore', out, out, 'ipc'],
      env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    }),
  );
  fs.closeSync(out);
  let nextId = 0;
  const pending = new Map();
  child.on('message', (msg) => {
    if (msg.type === 'reply' && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(`${kind} child: ${msg.error}`));
      else resolve(msg.body);
    }
  });
  const ready = await withTimeout(
    new Promise((resolve, reject) => {
      child.once('exit', (code, sig) => reject(new Error(`${kind} child exited early (code ${code}, signal ${sig}); see ${logFile}`)));
      child.on('message', (msg) => {
        if (msg.type === 'ready') resolve(msg);
        else if (msg.type === 'error') reject(new Error(`${kind} child failed: ${msg.message}`));
      });
    }),
    timeoutMs,
    `the ${kind} child to start (see ${logFile})`,
  ).catch(async (err) => {
    child.kill('SIGKILL');
    await reap(child, 0);
    throw err;
  });
  return {
    kind,
    pid: child.pid,
    ready,
    call(type, extra = {}, ms = 20000) {
      const id = ++nextId;
      const p = new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
      child.send({ type, id, ...extra });
      return withTimeout(p, ms, `${kind} child: ${type}`);
    },
    async stop(graceMs = 15000) {
      if (child.connected) child.send({ type: 'stop' });
      await reap(child, graceMs);
    },
  };
}

module.exports = { benchEntry, exitOnStop, serveControl, startChild };
