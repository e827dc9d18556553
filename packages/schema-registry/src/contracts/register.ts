import { checkCompatibility } from '../compatibility/check';
import { isCompatibilityLevel } from '../compatibility/levels';
import { parseAvroSchema } from '../avro/schema';
import { ContractError, type Contract } from './loader';

/** Registering a contract was refused as incompatible with the registered versions. */
export class ContractIncompatibleError extends ContractError {
  constructor(
    file: string,
    readonly subject: string,
    message: string,
    field?: string,
  ) {
    super(file, message, field);
    this.name = 'ContractIncompatibleError';
  }
}

export interface RegisteredContract {
  readonly topic: string;
  readonly subject: string;
  readonly file: string;
  readonly id: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

interface RegistryAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Extra headers of every call (`authorization` for a registry that requires credentials). */
type RequestHeaders = Readonly<Record<string, string>>;

async function call(url: string, method: 'GET' | 'POST', headers: RequestHeaders, body?: unknown): Promise<RegistryAnswer> {
  const response = await fetch(url, {
    method,
    headers: { ...headers, 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { message: text };
  }
  return { status: response.status, body: typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed } };
}

/**
 * Works out locally which field breaks compatibility, so the error names the file and
 * the field even when the registry (Confluent's, say) words it differently.
 */
async function explainRefusal(registryUrl: string, contract: Contract, registryMessage: string, headers: RequestHeaders): Promise<ContractIncompatibleError> {
  const subjectUrl = `${registryUrl}/subjects/${encodeURIComponent(contract.subject)}`;
  const latest = await call(`${subjectUrl}/versions/latest`, 'GET', headers);
  const config = await call(`${registryUrl}/config/${encodeURIComponent(contract.subject)}?defaultToGlobal=true`, 'GET', headers);
  const level = isCompatibilityLevel(config.body.compatibilityLevel) ? config.body.compatibilityLevel : 'BACKWARD';
  if (latest.status === 200 && typeof latest.body.schema === 'string' && typeof latest.body.version === 'number') {
    const registered = { version: latest.body.version, type: parseAvroSchema(latest.body.schema).type };
    const [problem] = checkCompatibility(level === 'NONE' ? 'BACKWARD' : level, contract.type, [registered]);
    if (problem) {
      return new ContractIncompatibleError(contract.file, contract.subject, `${contract.file}: incompatible change to ${contract.subject} (${level}): ${problem.message}`, problem.field);
    }
  }
  return new ContractIncompatibleError(contract.file, contract.subject, `${contract.file}: incompatible change to ${contract.subject}: ${registryMessage}`);
}

/**
 * Registers each contract under its `<topic>-value` subject, in order, stopping at the
 * first refusal (fail fast: a process must not start with contracts the registry rejects).
 * Works against this package's registry and against Confluent's; `headers` carry its credentials.
 */
export async function registerContracts(registryUrl: string, contracts: readonly Contract[], headers: RequestHeaders = {}): Promise<RegisteredContract[]> {
  const base = registryUrl.replace(/\/+$/, '');
  const registered: RegisteredContract[] = [];
  for (const contract of contracts) {
    let answer: RegistryAnswer;
    try {
      answer = await call(`${base}/subjects/${encodeURIComponent(contract.subject)}/versions`, 'POST', headers, { schema: contract.canonical });
    } catch (error) {
      throw new ContractError(contract.file, `${contract.file}: cannot reach the schema registry at ${base}: ${(error as Error).message}`);
    }
    const message = typeof answer.body.message === 'string' ? answer.body.message : JSON.stringify(answer.body);
    if (answer.status === 409) throw await explainRefusal(base, contract, message, headers);
    if (answer.status !== 200 || typeof answer.body.id !== 'number') {
      throw new ContractError(contract.file, `${contract.file}: registering ${contract.subject} failed with HTTP ${answer.status}: ${message}`);
    }
    registered.push({ topic: contract.topic, subject: contract.subject, file: contract.file, id: answer.body.id });
  }
  return registered;
}
