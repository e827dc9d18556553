import { defaultSchemasDir, loadContracts, registerContracts } from '@agentmesh/schema-registry';

/**
 * The one place the kit touches contracts: loads the Avro contracts in `dir` (default: the mesh's own) and
 * registers them with the registry at `registryUrl`. Returns the subjects registered.
 */
export async function registerTestContracts(registryUrl: string, dir: string = defaultSchemasDir()): Promise<string[]> {
  const registered = await registerContracts(registryUrl, loadContracts(dir));
  return registered.map((r) => r.subject);
}
