import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { combineContracts, loadContracts, loadMeshContracts, type Contract } from '@agentmesh/schema-registry';

/** Where a project keeps its contracts by convention: `schemas/` in the working directory. */
export const PROJECT_SCHEMAS_DIR = 'schemas';

/** Which project contracts to take, and the line to say about it when there are none. */
export type ProjectSchemasChoice = { readonly kind: 'dir'; readonly dir: string } | { readonly kind: 'none'; readonly note: string };

export interface ProjectSchemasInput {
  /** A directory given on the command line. */
  readonly given?: string;
  /** False when the user asked for no project contracts (`mesh dev --no-contracts`). */
  readonly wanted: boolean;
  /** Whether `./schemas` is a directory. */
  readonly conventionalDirExists: boolean;
}

/** A given directory wins; else `./schemas` when it is there; else none, said in one line. */
export function chooseProjectSchemas(input: ProjectSchemasInput): ProjectSchemasChoice {
  if (!input.wanted) return { kind: 'none', note: "project contracts not registered (--no-contracts); the mesh's own are" };
  if (input.given !== undefined) return { kind: 'dir', dir: input.given };
  if (input.conventionalDirExists) return { kind: 'dir', dir: PROJECT_SCHEMAS_DIR };
  return { kind: 'none', note: `no ./${PROJECT_SCHEMAS_DIR} here: starting with the mesh's own contracts only (give a directory of contracts to register a project's)` };
}

/** `chooseProjectSchemas` for the working directory. */
export function projectSchemasHere(given: string | undefined, wanted = true): ProjectSchemasChoice {
  const conventional = resolve(PROJECT_SCHEMAS_DIR);
  return chooseProjectSchemas({ given, wanted, conventionalDirExists: existsSync(conventional) && statSync(conventional).isDirectory() });
}

/** The mesh's contracts and, when chosen, the project's: what `mesh dev` and `mesh contracts` work with. */
export function loadContractsFor(choice: ProjectSchemasChoice): Contract[] {
  const mesh = loadMeshContracts();
  return choice.kind === 'dir' ? combineContracts(mesh, loadContracts(resolve(choice.dir))) : mesh;
}
