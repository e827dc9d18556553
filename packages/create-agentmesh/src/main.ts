import { createAgentmesh } from './index';

createAgentmesh(process.argv.slice(2)).catch((err: Error) => {
  // As `mesh`: an expected failure (a directory not empty, a bad name) is one line, not a stack trace.
  process.stderr.write(`create-agentmesh: ${err.message}\n`);
  process.exit(1);
});
