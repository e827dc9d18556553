import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { contractTypesOrExplain } from '../contracts';
import { fillPlaceholders, InitError, projectPathOf, tarballPackageName, type ProjectDependencies } from './project-plan';

/** The template of `mesh init`, shipped in the package beside dist/ (and src/, for the unit tests). */
export const AGENT_PROJECT_TEMPLATE = resolve(__dirname, '..', '..', '..', 'templates', 'agent-project');

/** Where the generated types of the project's contracts go; `npm run types` writes the same file. */
export const CONTRACT_TYPES_FILE = 'src/contracts.ts';

/** Every file under `dir`, as `/`-separated paths relative to it, sorted. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]))
    .sort();
}

/** Refuses a target that is a file, or a directory with anything in it: a scaffold never overwrites. */
export function checkTarget(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new InitError(`${dir} is a file, not a directory`);
  const present = readdirSync(dir);
  if (present.length > 0) throw new InitError(`${dir} is not empty: give a new or empty directory (mesh init never overwrites)`);
}

/** The tarballs of the mesh's packages in `dir` (what `npm pack` wrote), by package name. */
export function findTarballs(dir: string): Map<string, string> {
  const abs = resolve(dir);
  let files: string[];
  try {
    files = readdirSync(abs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InitError(`--from-tarballs ${dir}: ${code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : (code ?? (error as Error).message)}`);
  }
  const found = new Map<string, string>();
  for (const file of files) {
    const name = tarballPackageName(file);
    if (name !== undefined) found.set(name, join(abs, file));
  }
  if (found.size === 0) throw new InitError(`--from-tarballs ${dir}: no agentmesh-*.tgz in it (npm pack -w packages/<name> writes them)`);
  return found;
}

export interface ScaffoldOptions {
  dir: string;
  packageName: string;
  placeholders: Readonly<Record<string, string>>;
  dependencies: ProjectDependencies;
}

/** Writes the project: the template's files with placeholders filled, its package.json's dependencies, the contracts' types. */
export function scaffoldProject(options: ScaffoldOptions): string[] {
  const { dir } = options;
  checkTarget(dir);
  const written: string[] = [];
  const write = (path: string, text: string) => {
    const target = join(dir, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    written.push(path);
  };
  // Filled in memory first: a template that cannot be filled leaves no half-written project.
  const rendered = filesUnder(AGENT_PROJECT_TEMPLATE).map((templatePath) => {
    const text = fillPlaceholders(readFileSync(join(AGENT_PROJECT_TEMPLATE, templatePath), 'utf8'), options.placeholders);
    const path = projectPathOf(templatePath);
    return { path, text: path === 'package.json' ? withDependencies(text, options.dependencies) : text };
  });
  for (const file of rendered) write(file.path, file.text);
  const schemas = join(dir, 'schemas');
  write(CONTRACT_TYPES_FILE, contractTypesOrExplain({ kind: 'dir', dir: schemas }, 'schemas'));
  return written.sort();
}

function withDependencies(manifestText: string, deps: ProjectDependencies): string {
  const manifest = JSON.parse(manifestText) as Record<string, unknown>;
  Object.assign(manifest, deps);
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** `dir` as the user will type it after `cd`: relative to the working directory when inside it. */
export function shownPath(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : dir;
}
