import type { StoreRecord } from './records';
import { RegistryState, type RegistryView } from './state';
import type { SchemaStore } from './store';

/** A store that lives only as long as the process: for unit tests and throwaway registries. */
export class MemorySchemaStore implements SchemaStore {
  private readonly state = new RegistryState();

  get view(): RegistryView {
    return this.state;
  }

  async catchUp(): Promise<void> {
    // Nothing to catch up with: this process is the only writer.
  }

  async append(records: readonly StoreRecord[]): Promise<boolean[]> {
    return records.map((record) => this.state.apply(record));
  }

  async close(): Promise<void> {}
}
