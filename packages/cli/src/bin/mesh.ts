// The runtime first: it installs its kafkajs hot paths before anything else loads kafkajs.
import '@agentmesh/runtime';
import { buildProgram } from '../program';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: Error) => {
    // Expected failures (a taken port, a bad flag) get one clear line, not a stack trace.
    process.stderr.write(`mesh: ${err.message}\n`);
    process.exit(1);
  });
