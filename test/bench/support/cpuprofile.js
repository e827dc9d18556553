'use strict';
// Summaries of V8 .cpuprofile files (from an inspector session in a benchmark child, or --cpu-prof): self time by
// module, the top self-time functions, and the inclusive (synchronous) time of agentmesh's own functions.
const fs = require('node:fs');
const path = require('node:path');
const { fmt } = require('./report');

const DIST_FILE = /\/packages\/([^/]+)\/dist\/(.*)$/;

/** An agentmesh package's module of a file in its dist: `@agentmesh/<package> <top folder or file>`; null if none. */
function distModule(file) {
  const pkg = DIST_FILE.exec(file);
  return pkg ? `@agentmesh/${pkg[1]} ${pkg[2].replace(/\.js$/, '').split('/')[0]}` : null;
}

/**
 * Module a frame belongs to: an npm package, an agentmesh module (`agentmeshModule(file)`, null where the file
 * is none), a node internal, the bench harness, or the file itself. `root` is the repository root.
 */
function profileCategory(root, url, functionName, agentmeshModule = distModule) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native/builtin)';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = file.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const own = agentmeshModule(file);
  if (own) return own;
  if (file.startsWith('node:')) return `node ${file.slice(5).split('/').slice(0, 2).join('/')}`;
  if (file.startsWith(path.join(root, 'test', 'bench'))) return 'bench harness';
  return file.replace(root + '/', '');
}

/** A profile, its nodes by id, and the self time (µs, from samples and timeDeltas) of each sampled node. */
function readProfile(file) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  // More accurate than hitCount when sampling is uneven.
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i + 1] !== undefined ? prof.timeDeltas[i + 1] : 0;
    selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) || 0) + Math.max(0, dt));
  }
  return { prof, byId, selfUs };
}

/** A function of a call frame: `name file:line`, the file relative to `root`. */
function frameKey(root, cf) {
  const f = cf.url ? cf.url.replace(/^file:\/\//, '').replace(root + '/', '') : '';
  return `${cf.functionName || '(anonymous)'} ${f}${f ? `:${cf.lineNumber + 1}` : ''}`;
}

/**
 * Prints a summary of one profile. `root` is the repository root (to shorten paths). Options: `top` rows of
 * modules and of inclusive time, `topFunctions` rows of functions, `agentmeshModule` (see profileCategory), and
 * `own(url)`: whether a frame is agentmesh code (for inclusive time; default: a file in a package's dist).
 */
function summarizeProfile(file, label, root, { top = 14, topFunctions = 10, agentmeshModule = distModule, own = (url) => DIST_FILE.test(url) } = {}) {
  const { prof, byId, selfUs } = readProfile(file);
  const wallUs = prof.endTime - prof.startTime;
  let busy = 0;
  const byCat = new Map();
  const byFn = new Map();
  for (const [id, us] of selfUs) {
    const cf = byId.get(id).callFrame;
    if (cf.functionName === '(idle)') continue;
    busy += us;
    const cat = profileCategory(root, cf.url, cf.functionName, agentmeshModule);
    byCat.set(cat, (byCat.get(cat) || 0) + us);
    const k = frameKey(root, cf);
    byFn.set(k, (byFn.get(k) || 0) + us);
  }
  // Inclusive time of our own functions (synchronous parts; an await ends a stack), counted once per stack.
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const incl = new Map();
  for (const [id, us] of selfUs) {
    if (byId.get(id).callFrame.functionName === '(idle)') continue;
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur).callFrame;
      if (!own(cf.url || '')) continue;
      const k = frameKey(root, cf);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) || 0) + us);
    }
  }
  const pct = (us) => `${fmt((us / Math.max(1, busy)) * 100, 1).padStart(5)}%`;
  console.log(`\n${label} CPU profile (${path.basename(file)}): ${fmt(wallUs / 1000)} ms wall, ${fmt(busy / 1000)} ms busy (${fmt((busy / wallUs) * 100)}% of one core)`);
  console.log('  self time by module:');
  for (const [cat, us] of [...byCat].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`    ${pct(us)}  ${fmt(us / 1000).padStart(7)} ms  ${cat}`);
  console.log('  top self-time functions:');
  for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, topFunctions)) console.log(`    ${pct(us)}  ${fmt(us / 1000).padStart(7)} ms  ${k}`);
  if (incl.size > 0) {
    console.log('  inclusive time of agentmesh functions (synchronous parts, incl. callees):');
    for (const [k, us] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`    ${pct(us)}  ${fmt(us / 1000).padStart(7)} ms  ${k}`);
  }
}

module.exports = { summarizeProfile, readProfile, frameKey };
