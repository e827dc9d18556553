// kafkajs's hot paths are ours as kafkajs loads (the kafkajs patch: packages/kafkajs-paths), whoever loads it first.
import { programFor } from '../program-for';

programFor(process.argv)
  .then((program) => program.parseAsync(process.argv))
  .catch((err: Error) => {
    // Expected failures (a taken port, a bad flag) get one clear line, not a stack trace.
    process.stderr.write(`mesh: ${err.message}\n`);
    process.exit(1);
  });
