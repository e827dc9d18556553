'use strict';
// Process bookkeeping and /proc sampling shared by the benchmarks: every child is tracked so
// that any exit path can kill it, and every wait is bounded.
const fs = require('node:fs');
const path = require('node:path');

function envInt(name, def) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return Math.floor(n);
}

const children = new Set();

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function killAllChildren(signal) {
  for (const child of children) {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits for a child to exit, killing it (TERM, then KILL) if it does not do so in time. */
async function reap(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (
    await withTimeout(exited, graceMs, 'exit').then(
      () => true,
      () => false,
    )
  )
    return;
  child.kill('SIGTERM');
  if (
    await withTimeout(exited, 2000, 'exit').then(
      () => true,
      () => false,
    )
  )
    return;
  child.kill('SIGKILL');
  await withTimeout(exited, 2000, 'exit').catch(() => {});
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const CLK_TCK = 100; // USER_HZ on every mainstream Linux build

/** CPU time (user + system) of a process in ms, from /proc; null where there is no /proc. */
function procCpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

/** A field of /proc/<pid>/status in KiB (VmHWM, VmRSS); null where unavailable. */
function procStatusKiB(pid, field) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function selfCpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Busy CPU time of the whole machine (all CPUs) in ms, from /proc/stat; null where there is none. */
function machineBusyMs() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait (guest time is inside user).
    return ((f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] || 0)) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

/** Samples VmRSS of named pids every `everyMs` (the one named `driver`: this process's RSS); max per name, in KiB. */
function rssSampler(pids, everyMs = 100) {
  const peak = {};
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      if (!pid) continue;
      const kib = name === 'driver' ? Math.round(process.memoryUsage().rss / 1024) : procStatusKiB(pid, 'VmRSS');
      if (kib !== null && (peak[name] === undefined || kib > peak[name])) peak[name] = kib;
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/** Throws unless every package build the bench loads (name -> dist folder) is there. */
function assertBuilt(dists) {
  for (const [name, dir] of Object.entries(dists)) {
    if (!fs.existsSync(path.join(dir, 'index.js'))) throw new Error(`${dir}/index.js is missing (${name}): run \`npm run build\` (npx tsc -b) first`);
  }
}

/** Kills every tracked child when this process exits, and on SIGINT/SIGTERM/SIGHUP (then exits 130). */
function killChildrenOnExit() {
  process.on('exit', () => killAllChildren('SIGKILL'));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      console.error(`bench: ${sig}, cleaning up`);
      killAllChildren('SIGKILL');
      process.exit(130);
    });
  }
}

/** A hard bound on the whole run: when `ms` have passed, every child is killed and this process exits 2. */
function hardDeadline(ms) {
  const timer = setTimeout(() => {
    console.error(`bench: hard deadline of ${ms} ms reached, killing everything`);
    killAllChildren('SIGKILL');
    process.exit(2);
  }, ms);
  timer.unref();
  return timer;
}

/** Runs the driver's main(): exits 0 when it resolves; when it rejects, prints why, kills every child and exits 1. */
function runMain(main) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(`bench failed: ${(err && err.stack) || err}`);
      killAllChildren('SIGKILL');
      process.exit(1);
    },
  );
}

module.exports = {
  envInt,
  track,
  killAllChildren,
  withTimeout,
  reap,
  sleep,
  procCpuMs,
  procStatusKiB,
  selfCpuMs,
  machineBusyMs,
  rssSampler,
  assertBuilt,
  killChildrenOnExit,
  hardDeadline,
  runMain,
};
