'use strict';
// Process bookkeeping and /proc sampling shared by the benchmarks: every child is tracked so
// that any exit path can kill it, and every wait is bounded.
const fs = require('node:fs');

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
  if (await withTimeout(exited, graceMs, 'exit').then(() => true, () => false)) return;
  child.kill('SIGTERM');
  if (await withTimeout(exited, 2000, 'exit').then(() => true, () => false)) return;
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

module.exports = { envInt, track, killAllChildren, withTimeout, reap, sleep, procCpuMs, procStatusKiB, selfCpuMs };
