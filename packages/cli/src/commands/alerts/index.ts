import { createLogger } from '@agentmesh/runtime';
import { Option, type Command } from 'commander';
import { endpoint } from '../../defaults';
import { AlertEvaluator } from '../../fleet/alert-evaluator';
import { kafkaClient } from '../../kafka';
import { parseBrokerList, parseDuration, parseHttpUrl, stopOnSignals } from '../../options';
import { BROKERS_HELP, brokersOf, type KafkaFlags } from '../dlq/common';
import { DEFAULT_WINDOW } from '../status/common';

interface WatchFlags extends KafkaFlags {
  registry?: string;
  window: number;
  every: number;
}

/** How often the evaluator of `mesh alerts watch` and `mesh dev` evaluates the rules unless told otherwise. */
export const DEFAULT_ALERTS_EVERY = '10s';

/** Starts an evaluator with the endpoints' defaults filled in, logging JSON lines (pino) to stdout. */
export function startAlertEvaluator(options: { brokers: string[]; registryUrl?: string; windowMs?: number; everyMs?: number }): AlertEvaluator {
  const evaluator = new AlertEvaluator({
    kafka: kafkaClient(options.brokers, 'mesh-alerts'),
    brokers: options.brokers,
    registryUrl: options.registryUrl ?? endpoint('SCHEMA_REGISTRY_URL'),
    windowMs: options.windowMs ?? parseDuration(DEFAULT_WINDOW),
    everyMs: options.everyMs ?? parseDuration(DEFAULT_ALERTS_EVERY),
    logger: createLogger({ name: 'mesh-alerts' }),
  });
  evaluator.start();
  return evaluator;
}

/** `mesh alerts watch`: the mesh's alert evaluator, for as long as it runs. */
export function registerAlertsCommand(program: Command): void {
  const alerts = program.command('alerts').description("the mesh's alerts (ALERT_RULES, the source of infra/prometheus/mesh-alerts.yml) evaluated over the fleet");
  alerts
    .command('watch')
    .description('evaluate the alert rules continuously: each alert that fires or resolves is a JSON log line (stdout) and a record on mesh.alerts')
    .option('--brokers <list>', BROKERS_HELP, parseBrokerList)
    .option('--registry <url>', 'schema registry, to read Avro heartbeats and write Avro alerts (default: $SCHEMA_REGISTRY_URL or http://127.0.0.1:8081)', parseHttpUrl)
    .addOption(new Option('--window <duration>', 'how much history each evaluation reads').default(parseDuration(DEFAULT_WINDOW), DEFAULT_WINDOW).argParser(parseDuration))
    .addOption(new Option('--every <duration>', 'how often the rules are evaluated').default(parseDuration(DEFAULT_ALERTS_EVERY), DEFAULT_ALERTS_EVERY).argParser(parseDuration))
    .addHelpText(
      'after',
      '\nStarted again, it takes up what mesh.alerts says is firing (and since when) instead of announcing it twice; several running do not repeat each other.\nLOG_LEVEL=debug logs every evaluation. Stops on SIGINT or SIGTERM.',
    )
    .action((flags: WatchFlags) => {
      const evaluator = startAlertEvaluator({ brokers: brokersOf(flags), windowMs: flags.window, everyMs: flags.every, ...(flags.registry !== undefined ? { registryUrl: flags.registry } : {}) });
      stopOnSignals(() => evaluator.stop());
    });
}
