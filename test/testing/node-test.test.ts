import { execFile } from 'node:child_process';
import { join } from 'node:path';

// The kit is usable without jest: its node:test suite, run as a user would run it (against the built package).

const root = join(__dirname, '..', '..');

it('passes its node:test suite under `node --test`', async () => {
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    execFile(process.execPath, ['--test', join(root, 'packages', 'testing', 'test')], { cwd: root, timeout: 90_000, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
  expect(output).toMatch(/^# fail 0$/m);
  expect(output).toMatch(/^# pass [1-9]/m);
  expect(code).toBe(0);
}, 120_000);
