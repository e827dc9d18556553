import { execFile, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

// `npm run demo:kafka` (built code): on a machine without Docker it says so in one line and exits 0.
// With a Docker engine it would bring docker-compose.kafka.yml up, which a test run must not do.
const SCRIPT = resolve(__dirname, '../../packages/examples/dist/demo/on-compose.js');
const dockerAnswers = spawnSync('docker', ['info'], { timeout: 15_000 }).status === 0;
if (dockerAnswers) process.stderr.write('demo-kafka.test: a Docker engine answers here, so the no-Docker line is not checked (npm run demo:kafka runs the demo on it)\n');
// Skipped only where a Docker engine answers: the test checks the no-Docker line, and must not start the compose stack.
const withoutDocker = dockerAnswers ? it.skip : it;

describe('npm run demo:kafka', () => {
  withoutDocker('without a Docker engine says so in one line and exits 0, starting nothing', async () => {
    const run = await promisify(execFile)(process.execPath, [SCRIPT], { timeout: 30_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      /^demo:kafka needs Docker to run \S+docker-compose\.kafka\.yml: no (Docker engine reachable \(.+\)|docker command); nothing started \(npm start runs the demo on the embedded broker\)\n$/,
    );
  });
});
