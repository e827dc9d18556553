import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ContractError, defaultSchemasDir, loadContracts, TOPICS_FILE, type Contract } from './loader';

/** The folder of a schemas directory that holds the mesh's own contracts (heartbeats, control, alerts, sagas). */
export const MESH_CONTRACTS_FOLDER = 'mesh';

/**
 * Where a packed `@agentmesh/schema-registry` carries the mesh's contracts: a schemas directory of
 * its own (`topics.json` plus `mesh/*.avsc`), written from the repository's `schemas/` when the
 * package is packed (`npm pack` runs `contracts/pack-step.ts`).
 */
export function packagedMeshContractsDir(): string {
  // The same from src/contracts and dist/contracts: the package's root.
  return resolve(__dirname, '..', '..', 'mesh-contracts');
}

/** A packed package's own copy when there is one, else the repository's `schemas/` (the one source of both). */
export function meshContractsDir(): string {
  const packaged = packagedMeshContractsDir();
  return existsSync(join(packaged, TOPICS_FILE)) ? packaged : defaultSchemasDir();
}

/** True for a contract file of the mesh's own (`mesh/...`). */
export function isMeshContractFile(file: string): boolean {
  return file.startsWith(`${MESH_CONTRACTS_FOLDER}/`);
}

/** The part of a topic map whose contracts are the mesh's own. */
export function meshTopicMap(topics: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(topics).filter(([, file]) => isMeshContractFile(file)));
}

/** The mesh's own contracts, which every registry the mesh runs against needs (`mesh dev` and `mesh contracts register` register them). */
export function loadMeshContracts(dir: string = meshContractsDir()): Contract[] {
  if (!existsSync(join(dir, TOPICS_FILE))) {
    throw new ContractError(TOPICS_FILE, `the mesh's own contracts are missing: ${dir} has no ${TOPICS_FILE} (@agentmesh/schema-registry packed without its prepack step?)`);
  }
  return loadContracts(dir).filter((contract) => isMeshContractFile(contract.file));
}
