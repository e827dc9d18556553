import { Option, type Command } from 'commander';
import { endpoint } from '../../defaults';
import { FleetReader, NoMeshError, type FleetView } from '../../fleet';
import { kafkaClient } from '../../kafka';
import { parseBrokerList, parseDuration, parseHttpUrl, UsageError } from '../../options';
import { BROKERS_HELP, brokersOf, type KafkaFlags } from '../dlq/common';
import { withKafka } from '../dlq/topics';

export interface FleetFlags extends KafkaFlags {
  registry?: string;
  window: number;
  json: boolean;
}

export const DEFAULT_WINDOW = '5m';

/** The flags every fleet command takes. */
export function fleetOptions(command: Command): Command {
  return command
    .option('--brokers <list>', BROKERS_HELP, parseBrokerList)
    .option('--registry <url>', 'schema registry, to read Avro heartbeats (default: $SCHEMA_REGISTRY_URL or http://127.0.0.1:8081)', parseHttpUrl)
    .addOption(
      new Option('--window <duration>', 'how much history to read: heartbeats, rates, health trend, anomalies').default(parseDuration(DEFAULT_WINDOW), DEFAULT_WINDOW).argParser(parseDuration),
    )
    .option('--json', 'print JSON only', false);
}

/** `5m`, `90s`, `2h`, `300ms` for a duration in ms. */
export function windowText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function fleetReader(flags: FleetFlags, options: { publishAlerts?: boolean; log?: (line: string) => void } = {}): { reader: FleetReader; brokers: string[] } {
  const brokers = brokersOf(flags);
  const kafka = kafkaClient(brokers, 'mesh-status');
  return { reader: new FleetReader({ kafka, registryUrl: flags.registry ?? endpoint('SCHEMA_REGISTRY_URL'), windowMs: flags.window, ...options }), brokers };
}

/** The line for a cluster with no mesh on it (no heartbeats topic, or no heartbeat in the window). */
export function noMeshLine(brokers: readonly string[], windowMs: number): string {
  return `no agents have sent a heartbeat to mesh.heartbeats on ${brokers.join(',')} in the last ${windowText(windowMs)}`;
}

/** One refresh; no mesh is a UsageError with the one line, Kafka failures one line naming the brokers. */
export async function readView(reader: FleetReader, brokers: readonly string[], windowMs: number): Promise<FleetView> {
  try {
    const view = await withKafka(brokers, 'read the mesh', () => reader.refresh());
    if (view.fleet.agents.length === 0) throw new UsageError(noMeshLine(brokers, windowMs));
    return view;
  } catch (error) {
    if (error instanceof NoMeshError) throw new UsageError(noMeshLine(brokers, windowMs));
    throw error;
  }
}
