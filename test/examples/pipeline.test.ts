import { randomBytes } from 'node:crypto';
import { RegistryCodec, startWorker, type Agent, type IdempotencyStore, type RunningWorker } from '@agentmesh/runtime';
import { demoInvoices, followOutcomes, INVOICE_PIPELINE, OutcomeLedger, publishInvoices, startLocalStack, type InvoiceAgentOptions, type LocalStack } from '@agentmesh/examples';
import pino from 'pino';
import { RedisIdempotencyStore } from '../../packages/runtime/src/idempotency/redis-store';
import { createAccountingAgent } from '../../packages/examples/src/invoice/accounting';
import { NO_FAILURES } from '../../packages/examples/src/invoice/failure-injection';
import { createOcrAgent } from '../../packages/examples/src/invoice/ocr';
import { createPoMatchingAgent } from '../../packages/examples/src/invoice/po-matching';
import { createValidationAgent } from '../../packages/examples/src/invoice/validation';
import { externalTestKafka, kafkaFor } from '../support/kafka';
import { TEST_REDIS_URL } from '../support/redis';

/**
 * The invoice pipeline end to end: embedded broker and registry, the four
 * agents in this process as real consumer groups, Avro through the registry,
 * idempotency in the real Redis. A ledger of invoice ids checks that every
 * invoice is posted exactly once.
 */

const REDIS_URL = TEST_REDIS_URL;
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const noFailures = { seed: 'e2e', rates: NO_FAILURES };

type AgentOptionsByName = Partial<Record<'ocr' | 'validation' | 'po-matching' | 'accounting', InvoiceAgentOptions>>;

interface RunningPipeline {
  stack: LocalStack;
  store: IdempotencyStore;
  workers: RunningWorker[];
  stop(): Promise<void>;
}

async function startPipeline(options: AgentOptionsByName): Promise<RunningPipeline> {
  const stack = await startLocalStack({ partitions: 3, external: externalTestKafka() });
  // A prefix of its own, so earlier runs on the same Redis are not mistaken for duplicates.
  const store = RedisIdempotencyStore.connect(REDIS_URL, logger, { keyPrefix: `test:examples:${randomBytes(4).toString('hex')}` });
  const workers: RunningWorker[] = [];
  const stop = async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await store.close();
    await stack.stop();
  };
  try {
    const codec = new RegistryCodec({ url: stack.registry.url });
    const agents = [
      createOcrAgent({ failures: noFailures, ...options.ocr }),
      createValidationAgent({ failures: noFailures, ...options.validation }),
      createPoMatchingAgent({ failures: noFailures, ...options['po-matching'] }),
      createAccountingAgent({ failures: noFailures, ...options.accounting }),
    ] as Agent[];
    workers.push(...(await Promise.all(agents.map((agent) => startWorker(agent, { brokers: stack.brokers, codec, idempotency: store, logger, drainTimeoutMs: 10_000 })))));
  } catch (error) {
    await stop();
    throw error;
  }
  return { stack, store, workers, stop };
}

/** Publishes `count` invoices and follows them until each is posted or dead-lettered (bounded). */
async function publishAndFollow(pipeline: RunningPipeline, count: number, settleTimeoutMs: number): Promise<OutcomeLedger> {
  const runId = randomBytes(3).toString('hex');
  const invoices = demoInvoices(runId, count);
  const ledger = new OutcomeLedger(invoices.map((i) => i.invoiceId));
  const codec = new RegistryCodec({ url: pipeline.stack.registry.url });
  const kafka = kafkaFor(pipeline.stack.broker);
  const follower = await followOutcomes({ kafka, codec, stages: INVOICE_PIPELINE, ledger, groupId: `test-follower-${runId}` });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await publishInvoices(producer, codec, invoices);
    const settled = await ledger.whenSettled(settleTimeoutMs);
    if (!settled) throw new Error(`not settled within ${settleTimeoutMs} ms: ${ledger.unsettled().length} of ${count} invoices neither posted nor dead-lettered`);
    expect(follower.readErrors).toEqual([]);
    return ledger;
  } finally {
    await producer.disconnect();
    await follower.stop();
  }
}

describe('the invoice pipeline end to end', () => {
  let pipeline: RunningPipeline | undefined;
  afterEach(async () => {
    await pipeline?.stop();
    pipeline = undefined;
  });

  it('posts every invoice exactly once on the happy path', async () => {
    pipeline = await startPipeline({});
    const ledger = await publishAndFollow(pipeline, 50, 30_000);
    const s = ledger.snapshot();
    expect(s).toMatchObject({ published: 50, posted: 50, degraded: 0, deadLetters: [], retriesByAgent: {}, redeliveries: 0, doublePostings: 0, unsettled: [] });
    for (const id of ledger.published) expect(ledger.fateOf(id)).toEqual({ kind: 'posted', degraded: false });
  });

  it('posts every invoice despite 30% transient failures in validation, through its retry topics', async () => {
    // Short tiers and more attempts than the demo's, so no invoice exhausts them (0.3^8 per invoice) and the test stays quick.
    pipeline = await startPipeline({
      validation: { failures: { seed: 'e2e-transient', rates: { transient: 0.3, permanent: 0, slow: 0 } }, retry: { delaysMs: [50, 100, 200], maxAttempts: 8 } },
    });
    const ledger = await publishAndFollow(pipeline, 50, 30_000);
    const s = ledger.snapshot();
    expect(s).toMatchObject({ published: 50, posted: 50, degraded: 0, deadLetters: [], doublePostings: 0, unsettled: [] });
    // About 0.3 / 0.7 retries per invoice are expected: 21 for 50; the bound leaves room for chance.
    expect(s.retriesByAgent.validation).toBeGreaterThanOrEqual(5);
    expect(Object.keys(s.retriesByAgent)).toEqual(['validation']);
  });

  it('degrades when po-matching refuses and dead-letters what accounting refuses, losing nothing', async () => {
    pipeline = await startPipeline({
      'po-matching': { failures: { seed: 'e2e-degrade', rates: { transient: 0, permanent: 1, slow: 0 } } },
      accounting: { failures: { seed: 'e2e-degrade', rates: { transient: 0, permanent: 0.2, slow: 0 } } },
    });
    const ledger = await publishAndFollow(pipeline, 30, 30_000);
    const s = ledger.snapshot();
    // Every match came from the fallback, so every posting says degraded; refused postings wait in accounting.dlq.
    expect(s.posted + s.deadLetters.length).toBe(30);
    expect(s.deadLetters.length).toBeGreaterThan(0);
    expect(s.deadLetters.every((d) => d.agent === 'accounting' && d.kind === 'permanent')).toBe(true);
    expect(s.degraded).toBe(s.posted);
    expect(s).toMatchObject({ retriesByAgent: {}, doublePostings: 0, unsettled: [] });
  });
});
