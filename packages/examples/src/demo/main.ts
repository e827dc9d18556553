import { connectionSettingsFromEnv, kafkaSecurityFromSettings } from '@agentmesh/runtime';
import { exitWithCode, parseDemoFlags } from './cli';
import { runDemo } from './run-demo';
import type { ExternalKafka } from './stack';

const USAGE = `usage: node packages/examples/dist/demo/main.js [--invoices N] [--timeout SECONDS] [--keep]
                                                [--brokers HOST:PORT,... --registry URL]

Runs the invoice pipeline demo: embedded broker and registry, four agents as
separate processes, N invoices (default 200) with failures injected
(MESH_FAIL_TRANSIENT, MESH_FAIL_PERMANENT, MESH_FAIL_SLOW, per agent with a
suffix such as MESH_FAIL_TRANSIENT_OCR; MESH_FAIL_SEED varies the pattern).
It prints the web console's URL; with --keep, the mesh and the console stay up
after the table until Ctrl-C. With --brokers and --registry it runs on that
Kafka and schema registry instead of embedded ones (npm run demo:kafka).
`;

export interface DemoArgs {
  invoices?: number;
  settleTimeoutMs?: number;
  keep?: boolean;
  external?: ExternalKafka;
  help: boolean;
}

/** Parses the few flags of the demo; throws with the usage on anything else. */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const rest: string[] = [];
  let brokers: string | undefined;
  let registry: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--brokers' || flag === '--registry') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value\n\n${USAGE}`);
      if (flag === '--brokers') brokers = value;
      else registry = value;
    } else rest.push(flag);
  }
  if ((brokers === undefined) !== (registry === undefined)) throw new Error(`--brokers and --registry go together: the demo uses both or neither\n\n${USAGE}`);
  const { count, ...args } = parseDemoFlags(rest, '--invoices', USAGE, true);
  const external = brokers !== undefined && registry !== undefined ? { brokers: brokers.split(',').filter((b) => b !== ''), registryUrl: registry } : undefined;
  return { ...args, ...(count === undefined ? {} : { invoices: count }), ...(external ? { external } : {}) };
}

async function main(): Promise<number> {
  const args = parseDemoArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.external) {
    // A secured cluster: the same KAFKA_* and SCHEMA_REGISTRY_* variables the agents it starts read.
    const settings = connectionSettingsFromEnv();
    args.external.security = kafkaSecurityFromSettings(settings.kafka);
    if (settings.registry.auth) args.external.registryAuth = settings.registry.auth;
  }
  const report = await runDemo({ invoices: args.invoices, settleTimeoutMs: args.settleTimeoutMs, keep: args.keep ?? false, external: args.external });
  // Dead letters are an expected outcome; lost invoices and double postings are not.
  return report.missing.length === 0 && report.doublePostings === 0 ? 0 : 1;
}

if (require.main === module) exitWithCode(main);
