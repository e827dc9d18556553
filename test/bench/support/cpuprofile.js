'use strict';
// Summaries of V8 .cpuprofile files (from an inspector session in a benchmark child): self time by module,
// the top self-time functions, and the inclusive (synchronous) time of agentmesh's own functions.
const fs = require('node:fs');
const path = require('node:path');

function fmt(n, digits = 0) {
  return Number(n).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Module a frame belongs to: an npm package, an agentmesh package, a node internal, or the file itself. */
function profileCategory(root, url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native/builtin)';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = file.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const pkg = /\/packages\/([^/]+)\/dist\/(.*)$/.exec(file);
  if (pkg) return `@agentmesh/${pkg[1]} ${pkg[2].replace(/\.js$/, '').split('/')[0]}`;
  if (file.startsWith('node:')) return `node ${file.slice(5).split('/').slice(0, 2).join('/')}`;
  if (file.startsWith(path.join(root, 'test', 'bench'))) return 'bench harness';
  return file.replace(root + '/', '');
}

/** Prints a summary of one profile. `root` is the repository root (to shorten paths). */
function summarizeProfile(file, label, root, top = 14) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i + 1] !== undefined ? prof.timeDeltas[i + 1] : 0;
    selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) || 0) + Math.max(0, dt));
  }
  const wallUs = prof.endTime - prof.startTime;
  let busy = 0;
  const byCat = new Map();
  const byFn = new Map();
  const keyOf = (cf) => {
    const f = cf.url ? cf.url.replace(/^file:\/\//, '').replace(root + '/', '') : '';
    return `${cf.functionName || '(anonymous)'} ${f}${f ? `:${cf.lineNumber + 1}` : ''}`;
  };
  for (const [id, us] of selfUs) {
    const cf = byId.get(id).callFrame;
    if (cf.functionName === '(idle)') continue;
    busy += us;
    const cat = profileCategory(root, cf.url, cf.functionName);
    byCat.set(cat, (byCat.get(cat) || 0) + us);
    const k = keyOf(cf);
    byFn.set(k, (byFn.get(k) || 0) + us);
  }
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const incl = new Map();
  for (const [id, us] of selfUs) {
    if (byId.get(id).callFrame.functionName === '(idle)') continue;
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur).callFrame;
      if (!/\/packages\/[^/]+\/dist\//.test(cf.url || '')) continue;
      const k = keyOf(cf);
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
  for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`    ${pct(us)}  ${fmt(us / 1000).padStart(7)} ms  ${k}`);
  if (incl.size > 0) {
    console.log('  inclusive time of agentmesh functions (synchronous parts, incl. callees):');
    for (const [k, us] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`    ${pct(us)}  ${fmt(us / 1000).padStart(7)} ms  ${k}`);
  }
}

module.exports = { summarizeProfile };
