import { ContractError, type Contract } from './loader';

/**
 * The mesh's contracts followed by a project's. A project may list a mesh topic with the very same
 * schema (this repository's `schemas/` does); listing one with another schema is refused, naming the
 * project's file, because every agent and operator tool reads those topics with the mesh's schema.
 */
export function combineContracts(mesh: readonly Contract[], project: readonly Contract[]): Contract[] {
  const meshByTopic = new Map(mesh.map((contract) => [contract.topic, contract]));
  const extra: Contract[] = [];
  for (const contract of project) {
    const own = meshByTopic.get(contract.topic);
    if (own === undefined) extra.push(contract);
    else if (own.canonical !== contract.canonical) {
      throw new ContractError(contract.file, `${contract.file}: topic ${contract.topic} belongs to the mesh's own contracts (${own.file}); a project cannot give it another schema`);
    }
  }
  return [...mesh, ...extra];
}
