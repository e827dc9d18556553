import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One file the console serves, read once at start: the pages are small and must load fast. */
export interface Asset {
  body: Buffer;
  type: string;
  /** Vendored libraries never change under a version; our own files may between builds. */
  cacheControl: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

function typeOf(file: string): string {
  const dot = file.lastIndexOf('.');
  return TYPES[dot >= 0 ? file.slice(dot) : ''] ?? 'application/octet-stream';
}

/** The console's own front end: packages/cli/console, beside src and dist. */
export const FRONT_END_DIR = join(__dirname, '..', '..', 'console');

const OWN_FILES = ['index.html', 'style.css', 'app.mjs', 'lib.mjs', 'chart.mjs', 'pages/agents.mjs', 'pages/agent.mjs', 'pages/dlq.mjs', 'pages/sagas.mjs', 'pages/trace.mjs', 'pages/alerts.mjs'];

/** Served name -> file: the libraries under vendor/, straight from their npm packages (no CDN, no bundler). */
function vendorFiles(): Record<string, string> {
  const htm = dirname(require.resolve('htm'));
  const uplot = dirname(require.resolve('uplot'));
  return {
    'vendor/preact.mjs': require.resolve('preact'),
    'vendor/hooks.mjs': require.resolve('preact/hooks'),
    'vendor/htm.mjs': join(htm, 'htm.mjs'),
    'vendor/uPlot.esm.js': join(uplot, 'uPlot.esm.js'),
    'vendor/uPlot.min.css': join(uplot, 'uPlot.min.css'),
  };
}

/** Every asset by the path it is served under (after /assets/), and the page. */
export function loadAssets(dir: string = FRONT_END_DIR): { page: Asset; assets: Map<string, Asset> } {
  const assets = new Map<string, Asset>();
  for (const file of OWN_FILES) assets.set(file, { body: readFileSync(join(dir, file)), type: typeOf(file), cacheControl: 'no-cache' });
  for (const [name, file] of Object.entries(vendorFiles())) assets.set(name, { body: readFileSync(file), type: typeOf(name), cacheControl: 'public, max-age=86400' });
  return { page: assets.get('index.html')!, assets };
}
