import { BrokerConfigError, BrokerListenError, ListenerConfigError, SASL_MECHANISMS, SecurityStateError, startBroker, UsersFileError, type BrokerOptions, type SaslMechanism } from '@agentmesh/broker';
import { InvalidArgumentError, type Command } from 'commander';
import { parsePort, parsePositiveInt, stopOnSignals, UsageError } from '../options';

interface BrokerFlags {
  host: string;
  port: number;
  dataDir?: string;
  partitions: number;
  autoCreate: boolean;
  logLevel: string;
  listeners?: string;
  advertisedListeners?: string;
  nodeId?: number;
  sslCertFile?: string;
  sslKeyFile?: string;
  sslCaFile?: string;
  sslClientAuth?: 'required' | 'none';
  saslUsersFile?: string;
  saslEnabledMechanisms?: SaslMechanism[];
  connectionsMaxReauthMs?: number;
  authorizer?: boolean;
  superUsers?: string[];
}

function parseNodeId(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`'${value}' is not a node id (a whole number, 0 or more)`);
  return Number(value);
}

function parseMechanisms(value: string): SaslMechanism[] {
  const names = value.split(',').map((m) => m.trim().toUpperCase());
  const bad = names.find((m) => !(SASL_MECHANISMS as readonly string[]).includes(m));
  if (bad !== undefined) throw new InvalidArgumentError(`'${bad}' is not one of ${SASL_MECHANISMS.join(', ')}`);
  return names as SaslMechanism[];
}

/** Kafka's super.users: `User:admin;User:ops`. */
function parseSuperUsers(value: string): string[] {
  const principals = value
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean);
  const bad = principals.find((p) => !/^[^:]+:.+$/.test(p));
  if (principals.length === 0 || bad !== undefined) throw new InvalidArgumentError(`'${bad ?? value}' is not a principal list like User:admin;User:ops`);
  return principals;
}

function parseClientAuth(value: string): 'required' | 'none' {
  if (value !== 'required' && value !== 'none') throw new InvalidArgumentError(`'${value}' is neither required nor none`);
  return value;
}

/** The flags as broker options; --host/--port only describe the default PLAINTEXT listener. */
export function brokerOptionsFromFlags(flags: BrokerFlags, hostOrPortGiven: boolean): BrokerOptions {
  if (flags.listeners !== undefined && hostOrPortGiven) throw new UsageError('--host and --port describe the default listener; with --listeners, put the host and port there');
  if ((flags.sslCertFile === undefined) !== (flags.sslKeyFile === undefined)) throw new UsageError('--ssl-cert-file and --ssl-key-file go together');
  const authorizerOn = flags.authorizer === true || flags.superUsers !== undefined;
  return {
    host: flags.host,
    port: flags.port,
    dataDir: flags.dataDir,
    defaultPartitions: flags.partitions,
    autoCreateTopics: flags.autoCreate,
    logLevel: flags.logLevel as 'info',
    listeners: flags.listeners,
    advertisedListeners: flags.advertisedListeners,
    nodeId: flags.nodeId,
    tls: flags.sslCertFile && flags.sslKeyFile ? { certFile: flags.sslCertFile, keyFile: flags.sslKeyFile, caFile: flags.sslCaFile, clientAuth: flags.sslClientAuth } : undefined,
    sasl: { usersFile: flags.saslUsersFile, mechanisms: flags.saslEnabledMechanisms, maxReauthMs: flags.connectionsMaxReauthMs },
    authorizer: authorizerOn ? { superUsers: flags.superUsers ?? [] } : undefined,
  };
}

export function registerBrokerCommand(program: Command): void {
  program
    .command('broker')
    .description('run the embedded Kafka-protocol broker in the foreground')
    .option('--host <host>', 'interface to bind (the default PLAINTEXT listener)', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 9092)
    .option('--listeners <list>', "Kafka's listeners, e.g. SASL_SSL://127.0.0.1:9093,PLAINTEXT://127.0.0.1:9092 (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)")
    .option('--advertised-listeners <list>', 'what clients are told to dial, per listener name (behind Docker port mappings or a Kubernetes service)')
    .option('--node-id <id>', "Kafka's node.id (default 1)", parseNodeId)
    .option('--ssl-cert-file <file>', 'PEM certificate (chain) for SSL and SASL_SSL listeners')
    .option('--ssl-key-file <file>', 'PEM private key of that certificate')
    .option('--ssl-ca-file <file>', 'PEM CA bundle to check client certificates against')
    .option('--ssl-client-auth <required|none>', 'ask every TLS client for a certificate signed by --ssl-ca-file', parseClientAuth)
    .option('--sasl-users-file <file>', 'JSON users for SASL listeners: {"users":[{"name","password","mechanisms"?,"iterations"?}]}; stored salted, as Kafka does')
    .option('--sasl-enabled-mechanisms <list>', `SASL mechanisms offered (default ${SASL_MECHANISMS.join(',')})`, parseMechanisms)
    .option('--connections-max-reauth-ms <ms>', 'SASL sessions must re-authenticate within this (KIP-368)', parsePositiveInt)
    .option('--authorizer', 'check every request against Kafka-style ACLs (CreateAcls/DescribeAcls/DeleteAcls); off: everything is allowed')
    .option('--super-users <list>', "Kafka's super.users, e.g. User:admin;User:ops (bypass ACLs; turns on --authorizer)", parseSuperUsers)
    .option('--data-dir <dir>', 'keep topics, data and offsets in this directory (default: in memory)')
    .option('--partitions <n>', 'partitions of auto-created topics', parsePositiveInt, 1)
    .option('--no-auto-create', 'do not create unknown topics on first use')
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (flags: BrokerFlags, command: Command) => {
      const hostOrPortGiven = command.getOptionValueSource('host') === 'cli' || command.getOptionValueSource('port') === 'cli';
      const broker = await startBroker(brokerOptionsFromFlags(flags, hostOrPortGiven)).catch((err: unknown) => {
        if (err instanceof BrokerListenError && err.code === 'EADDRINUSE') throw new UsageError(`${err.message}; choose another with ${flags.listeners === undefined ? '--port' : '--listeners'}`);
        if (err instanceof BrokerConfigError || err instanceof ListenerConfigError || err instanceof UsersFileError || err instanceof SecurityStateError) throw new UsageError(err.message);
        throw err;
      });
      // Handlers go in before the line that tells a supervisor we are up.
      stopOnSignals(() => broker.stop());
      process.stdout.write(`broker listening on ${broker.address}\n`);
      if (flags.listeners !== undefined) process.stdout.write(`listeners: ${broker.listeners.map((l) => `${l.name}://${l.address}`).join(', ')}\n`);
    });
}
