import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSchemasDir, loadContracts, TOPICS_FILE } from './loader';
import { MESH_CONTRACTS_FOLDER, meshTopicMap, packagedMeshContractsDir } from './mesh-contracts';

/**
 * Copies the mesh's contracts from a schemas directory into `outDir`: every file of its `mesh/`
 * folder (whatever is there at the time) and the mesh's part of its `topics.json`. Loads the copy
 * back, so a mesh contract that does not load fails the pack, not a user's `mesh dev`.
 */
export function writeMeshContracts(schemasDir: string, outDir: string): number {
  const topics = JSON.parse(readFileSync(join(schemasDir, TOPICS_FILE), 'utf8')) as Record<string, string>;
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, MESH_CONTRACTS_FOLDER), { recursive: true });
  for (const file of readdirSync(join(schemasDir, MESH_CONTRACTS_FOLDER))) {
    if (file.endsWith('.avsc')) copyFileSync(join(schemasDir, MESH_CONTRACTS_FOLDER, file), join(outDir, MESH_CONTRACTS_FOLDER, file));
  }
  writeFileSync(join(outDir, TOPICS_FILE), `${JSON.stringify(meshTopicMap(topics), null, 2)}\n`);
  return loadContracts(outDir).length;
}

// `npm pack` runs this before packing (write) and after (clean), so the copy never outlives a pack.
if (require.main === module) {
  const outDir = packagedMeshContractsDir();
  if (process.argv[2] === 'clean') rmSync(outDir, { recursive: true, force: true });
  else {
    const count = writeMeshContracts(defaultSchemasDir(), outDir);
    process.stdout.write(`packed ${count} mesh contracts into ${outDir}\n`);
  }
}
