import { extname } from 'node:path';

/** Extensions `mesh run` and `mesh coordinator --sagas` load as TypeScript. */
const TYPESCRIPT_EXTENSIONS: ReadonlySet<string> = new Set(['.ts', '.cts', '.mts', '.tsx']);

/** True when `path` names a TypeScript module, which needs the TypeScript hooks before it is required. */
export function isTypeScriptModule(path: string): boolean {
  return TYPESCRIPT_EXTENSIONS.has(extname(path).toLowerCase());
}

let registered = false;

/**
 * Lets require() load TypeScript in this process: tsx's CommonJS hooks (esbuild strips the types; it does not
 * type-check, which the project's `tsc --noEmit` does). tsx: widely used, maintained, and the same tool the
 * scaffolded project runs its tests with. Loaded only when a TypeScript module is asked for, so a JavaScript
 * agent pays nothing for it.
 */
export function enableTypeScriptModules(): void {
  if (registered) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand; its types need moduleResolution node16
  const tsx = require('tsx/cjs/api') as { register: () => () => void };
  tsx.register();
  registered = true;
}

/** Enables the TypeScript hooks when any of `paths` is a TypeScript module. */
export function enableTypeScriptFor(paths: readonly string[]): void {
  if (paths.some(isTypeScriptModule)) enableTypeScriptModules();
}
