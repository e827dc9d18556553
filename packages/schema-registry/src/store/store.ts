import type { StoreRecord } from './records';
import type { RegistryView } from './state';

/**
 * Where the registry keeps its records. Implementations: MemorySchemaStore (tests,
 * no broker) and KafkaSchemaStore (the `_schemas` topic). Callers serialise their own
 * writes (one at a time per process); the store only has to make them durable.
 */
export interface SchemaStore {
  /** The state as of the last catch-up or append. */
  readonly view: RegistryView;
  /** Brings `view` up to date with every record written so far, by any process. */
  catchUp(): Promise<void>;
  /**
   * Writes records and resolves once they are durable and applied to `view`. The result
   * says, per record, whether it took effect (false: another process won a race for
   * the same key or id; the caller should catch up and retry).
   */
  append(records: readonly StoreRecord[]): Promise<boolean[]>;
  close(): Promise<void>;
}
