import { basename } from 'node:path';

// Pure decisions of `mesh init`: the project's package name, its Avro namespace, where each template file goes,
// and the dependencies of its package.json (published versions, or `file:` tarballs packed from a checkout).

/** A file under templates/ whose name ends so is copied with its placeholders filled and this suffix dropped. */
export const TEMPLATE_SUFFIX = '.tmpl';

/** Template names that npm pack would drop or act on, given another name in templates/ and their own here. */
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

/** Where a template file (a path relative to the template's root, `/`-separated) lands in the project. */
export function projectPathOf(templatePath: string): string {
  const parts = templatePath.split('/');
  let last = parts.pop()!;
  if (last.endsWith(TEMPLATE_SUFFIX)) last = last.slice(0, -TEMPLATE_SUFFIX.length);
  return [...parts, RENAMED[last] ?? last].join('/');
}

/** Fills `{{key}}` placeholders; a placeholder without a value is a bug in the template, so it throws. */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template placeholder {{${key}}} has no value`);
    return value;
  });
}

/** npm's rules for a package name, in short: lower case, URL-safe, at most 214 characters, optionally scoped. */
const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** The package name of a project made in `dir` (its last segment, lower-cased, other characters as `-`), or `given` checked. */
export function packageNameFor(dir: string, given?: string): string {
  const name =
    given ??
    basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9._~-]+/g, '-')
      .replace(/^[._~-]+|-+$/g, '');
  if (name.length === 0 || name.length > 214 || !NPM_NAME.test(name)) {
    throw new InitError(`'${given ?? basename(dir)}' cannot be an npm package name (lower-case letters, digits, - . _ ~); give one with --name`);
  }
  return name;
}

/** The Avro namespace of the project's contracts: its package name as dotted Avro identifiers (`@acme/shop-mesh` -> `acme.shop_mesh`). */
export function avroNamespaceFor(packageName: string): string {
  return packageName
    .replace(/^@/, '')
    .split(/[/.]/)
    .filter(Boolean)
    .map((part) => part.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1'))
    .join('.');
}

/** `agentmesh-runtime-0.1.0.tgz` -> `@agentmesh/runtime`: what `npm pack` names a scoped package's tarball. */
export function tarballPackageName(file: string): string | undefined {
  const match = /^agentmesh-(.+)-\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?\.tgz$/.exec(file);
  return match ? `@agentmesh/${match[1]}` : undefined;
}

export interface DependencyChoice {
  /** The version of the mesh's packages to depend on (this CLI's own). */
  meshVersion: string;
  /** The version range of tsx the project runs its TypeScript tests with. */
  tsxRange: string;
  /** Package name -> absolute path of its tarball, when installing from `npm pack` output (tests, a checkout). */
  tarballs?: ReadonlyMap<string, string>;
}

export interface ProjectDependencies {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  /** With tarballs: every @agentmesh package pinned to its tarball, the ones the mesh's packages depend on too. */
  overrides?: Record<string, string>;
}

/** The packages the agent's code imports at run time, and those only its tools and tests need. */
const RUNTIME_PACKAGES = ['@agentmesh/runtime'];
const DEV_PACKAGES = ['@agentmesh/cli', '@agentmesh/testing'];
/** The TypeScript the template is written for; @types/node of the oldest Node the mesh supports. */
const TYPESCRIPT_RANGE = '^5.9.3';
const NODE_TYPES_RANGE = '^20.19.0';

const sorted = (entries: Array<[string, string]>): Record<string, string> => Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));

/** The dependencies of a scaffolded project's package.json. */
export function projectDependencies(choice: DependencyChoice): ProjectDependencies {
  const { tarballs } = choice;
  const spec = (name: string): string => {
    if (tarballs === undefined) return `^${choice.meshVersion}`;
    const file = tarballs.get(name);
    if (file === undefined) throw new InitError(`--from-tarballs has no tarball of ${name} (${name.replace('@', '').replace('/', '-')}-<version>.tgz)`);
    return `file:${file}`;
  };
  const dependencies = sorted(RUNTIME_PACKAGES.map((name) => [name, spec(name)]));
  const devDependencies = sorted([...DEV_PACKAGES.map((name): [string, string] => [name, spec(name)]), ['@types/node', NODE_TYPES_RANGE], ['tsx', choice.tsxRange], ['typescript', TYPESCRIPT_RANGE]]);
  if (tarballs === undefined) return { dependencies, devDependencies };
  // npm resolves the mesh packages' own dependencies on each other from the registry unless overridden.
  return { dependencies, devDependencies, overrides: sorted([...tarballs].map(([name, file]) => [name, `file:${file}`])) };
}

/** A project cannot be made as asked: one line for the user. */
export class InitError extends Error {
  override readonly name = 'InitError';
}
