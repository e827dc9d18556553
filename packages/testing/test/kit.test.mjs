// The kit from node:test, no jest anywhere: run by `npm test` here, and by test/testing/node-test.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { defineAgent } from '@agentmesh/runtime';
import { failFirst, startTestMesh } from '@agentmesh/testing';

const unique = (prefix) => `${prefix}-${randomBytes(4).toString('hex')}`;

test('an agent retried over three tiers on an auto-advancing clock', { timeout: 60_000 }, async (t) => {
  const mesh = await startTestMesh({ clock: 'auto', contracts: false });
  t.after(() => mesh.stop());
  const name = unique('node-test');
  const attempts = [];
  await mesh.run(
    defineAgent({
      name,
      consumes: [`${name}.in`],
      produces: [`${name}.out`],
      retry: { delaysMs: [1_000, 10_000, 60_000], maxAttempts: 4, jitter: 0 },
      handle: failFirst(3, (e) => {
        attempts.push(e.attempt);
        return [{ topic: `${name}.out`, value: { greeting: `hello ${e.value.who}` } }];
      }),
    }),
  );
  const virtualStart = mesh.clock.now();
  const sent = await mesh.publish(`${name}.in`, { who: 'node' });
  const out = await mesh.outputs(`${name}.out`).waitFor({ causedBy: sent.eventId }, { timeoutMs: 20_000 });
  assert.deepEqual(out.value, { greeting: 'hello node' });
  assert.deepEqual(attempts, [4]);
  assert.ok(mesh.clock.now() - virtualStart >= 71_000, 'virtual time moved past the three tiers');
});

test("an agent's dead letters, decoded, with their failure history", { timeout: 60_000 }, async (t) => {
  const mesh = await startTestMesh({ clock: 'auto', contracts: false });
  t.after(() => mesh.stop());
  const name = unique('node-dlq');
  const agent = await mesh.run(
    defineAgent({
      name,
      consumes: [`${name}.in`],
      produces: [],
      retry: { delaysMs: [30_000], maxAttempts: 2, jitter: 0 },
      handle: (e) => {
        throw new Error(`down on attempt ${e.attempt}`);
      },
    }),
  );
  const sent = await mesh.publish(`${name}.in`, { id: 'o-1' });
  const dead = await agent.dlq().waitFor({ eventId: sent.eventId }, { timeoutMs: 20_000 });
  assert.deepEqual(dead.value, { id: 'o-1' });
  assert.deepEqual(
    dead.failure.history.map((h) => h.message),
    ['down on attempt 1', 'down on attempt 2'],
  );
});
