import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentDefinitionError } from '../failure/errors';
import { loadAgentModule } from './load-agent';

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

  it('refuses a module that exports no agent', () => {
    const file = join(dir, 'empty.js');
    writeFileSync(file, 'module.exports = {};\n');
    expect(() => loadAgentModule(file)).toThrow(`${file} does not export an agent: export default defineAgent({...})`);
  });
});
