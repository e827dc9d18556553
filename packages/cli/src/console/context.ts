import type { FleetFeed } from './fleet-feed';

/** What every API handler reads from: the shared fleet feed and the endpoints of the mesh. */
export interface ConsoleContext {
  feed: FleetFeed;
  brokers: string[];
  registryUrl: string;
  redisUrl: string;
  /** The saga store's key prefix (the coordinator's --key-prefix). */
  sagaKeyPrefix: string;
  windowText: string;
}
