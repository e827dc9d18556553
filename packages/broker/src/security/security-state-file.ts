import { chmodSync, readFileSync } from 'node:fs';
import { fileExists, writeFileAtomic } from '../storage/fs-util';
import { parseSecurityState, serializeSecurityState, type SecurityState } from './security-state';

/** Inside a data dir: ACLs and SCRAM credentials changed at run time outlive the process. */
export const SECURITY_STATE_FILE = 'security.json';

export function loadSecurityState(file: string): SecurityState | null {
  if (!fileExists(file)) return null;
  return parseSecurityState(readFileSync(file, 'utf8'), file);
}

export function saveSecurityState(file: string, state: SecurityState): void {
  writeFileAtomic(file, Buffer.from(serializeSecurityState(state)), true);
  // Salted keys are not passwords, but they are still the keys to the broker.
  chmodSync(file, 0o600);
}
