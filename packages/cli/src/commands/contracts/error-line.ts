import { join } from 'node:path';
import { ContractError, isMeshContractFile } from '@agentmesh/schema-registry';
import type { ProjectSchemasChoice } from './project-schemas';

/**
 * A contract error as one line that names the file as the user knows it: a project file's path
 * gets its directory in front (`schemas/shop/order.avsc: ...`), so it can be opened as printed.
 */
export function contractErrorLine(error: ContractError, choice: ProjectSchemasChoice): string {
  const firstLine = error.message.split('\n')[0] ?? error.message;
  const namesFileFirst = firstLine.startsWith(`${error.file}:`) || firstLine.startsWith(`${error.file} `);
  if (choice.kind !== 'dir' || !namesFileFirst || isMeshContractFile(error.file)) return firstLine;
  return `${join(choice.dir, error.file)}${firstLine.slice(error.file.length)}`;
}
