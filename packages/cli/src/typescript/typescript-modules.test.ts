import { isTypeScriptModule } from './typescript-modules';

describe('isTypeScriptModule', () => {
  it.each(['agent.ts', './src/agents/greeter.ts', 'a.cts', 'a.mts', 'A.TS', 'view.tsx'])('%s is TypeScript', (path) => {
    expect(isTypeScriptModule(path)).toBe(true);
  });

  it.each(['agent.js', 'agent.mjs', 'agent.cjs', 'agent.d.ts.map', 'ts', 'agent'])('%s is not', (path) => {
    expect(isTypeScriptModule(path)).toBe(false);
  });
});
