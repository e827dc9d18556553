import { HANDED } from './kafka-choice';
import { runKafka } from './kafka-global-setup';

/** Stops what the global setup started (the run's registry, then its Kafka container) and puts the environment back. */
export default async function kafkaGlobalTeardown(): Promise<void> {
  const started = runKafka();
  await started.registry?.stop();
  await started.container?.stop();
  delete started.registry;
  delete started.container;
  for (const [name, value] of Object.entries(started.mesh ?? {})) if (value !== undefined) process.env[name] = value;
  delete started.mesh;
  delete process.env[HANDED.brokers];
  delete process.env[HANDED.registryUrl];
}
