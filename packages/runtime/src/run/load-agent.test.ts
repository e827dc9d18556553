import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentDefinitionError } from '../failure/errors';
import { loadAgentModule, loadFailure } from './load-agent';

describe('loadAgentModule', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'load-agent-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says in one line that a module path does not exist', () => {
    const file = join(dir, 'missing.js');
    expect(() => loadAgentModule(file)).toThrow(new AgentDefinitionError(`cannot load agent module ${file}: no such file`));
  });

  it("keeps only the first line of a module's own load failure (no require stack)", () => {
    const file = join(dir, 'needs-missing.js');
    writeFileSync(file, "require('./not-there');\n");
    // (Under jest the message is jest's resolver's; under node it is Node's, whose require stack follows on more lines.)
    expect(() => loadAgentModule(file)).toThrow(/^cannot load agent module [^\n]*needs-missing\.js: [^\n]*Cannot find module '\.\/not-there'[^\n]*$/);
  });

  it('keeps the line a first line announces (a TypeScript syntax error names its file, line and column)', () => {
    const file = join(dir, 'present.ts');
    writeFileSync(file, 'const x: = 1;\n');
    const esbuild = new Error(`Transform failed with 1 error:\n${file}:1:9: ERROR: Unexpected "="\n    at more`);
    expect(loadFailure(file, esbuild)).toBe(`Transform failed with 1 error: ${file}:1:9: ERROR: Unexpected "="`);
    expect(loadFailure(file, new Error('Unexpected token:\n'))).toBe('Unexpected token:');
  });

  it('refuses a module that exports no agent', () => {
    const file = join(dir, 'empty.js');
    writeFileSync(file, 'module.exports = {};\n');
    expect(() => loadAgentModule(file)).toThrow(`${file} does not export an agent: export default defineAgent({...})`);
  });
});
