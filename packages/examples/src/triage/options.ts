/** The pipeline's topics (schemas/topics.json): tickets in, triaged tickets out (the saga's trigger), the saga's command. */
export const TriageTopics = {
  tickets: 'support.tickets',
  triaged: 'support.triaged',
  sendReply: 'support.replies.send',
} as const;

export const TRIAGE_TOPICS: readonly string[] = Object.values(TriageTopics);

/** The agents' names (their consumer groups, and \`mesh run\` log names): here, so naming them loads no agent. */
export const TRIAGE_AGENT = 'support-triage';
export const SUPPORT_DESK = 'support-desk';

/** The triage handler's three journaled steps, in order; a crash during the third replays the first two. */
export const TriageSteps = { classify: 'classify', summarize: 'summarize', draftReply: 'draft-reply' } as const;

/** How the agent processes are configured (the demo sets these for them). */
export const TriageEnv = {
  seed: 'MESH_TRIAGE_SEED',
  latencyMs: 'MESH_TRIAGE_LLM_LATENCY_MS',
  draftLatencyMs: 'MESH_TRIAGE_DRAFT_LATENCY_MS',
  ledgerPrefix: 'MESH_TRIAGE_LEDGER_PREFIX',
  redisUrl: 'REDIS_URL',
} as const;

export interface TriageSettings {
  /** Seeds the stand-in model's answers. */
  seed: number;
  /** How long each stand-in model call takes. */
  latencyMs: number;
  /** How long a draft-reply call takes; default latencyMs. The demo slows it in the process it kills, so the kill lands mid-call. */
  draftLatencyMs: number;
  redisUrl: string;
  /** Key prefix of the token and reply ledgers. */
  ledgerPrefix: string;
}

export const DEFAULT_TRIAGE_SEED = 21;
export const DEFAULT_LLM_LATENCY_MS = 250;
export const DEFAULT_TRIAGE_LEDGER_PREFIX = 'mesh:triage:ledger:';

function wholeNumberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}='${env[name]}' must be a whole number >= 0`);
  return value;
}

/** The settings a triage process reads; a bad value is a one-line error naming the variable. */
export function triageSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TriageSettings {
  const latencyMs = wholeNumberFrom(env, TriageEnv.latencyMs, DEFAULT_LLM_LATENCY_MS);
  return {
    seed: wholeNumberFrom(env, TriageEnv.seed, DEFAULT_TRIAGE_SEED),
    latencyMs,
    draftLatencyMs: wholeNumberFrom(env, TriageEnv.draftLatencyMs, latencyMs),
    redisUrl: env[TriageEnv.redisUrl]?.trim() || 'redis://127.0.0.1:6379',
    ledgerPrefix: env[TriageEnv.ledgerPrefix]?.trim() || DEFAULT_TRIAGE_LEDGER_PREFIX,
  };
}

/** The handler's deadline: room for three calls of each model, the draft among them. */
export function triageTimeoutMs(settings: Pick<TriageSettings, 'latencyMs' | 'draftLatencyMs'>): number {
  return Math.max(5_000, 2 * (2 * settings.latencyMs + settings.draftLatencyMs) + 1_000);
}

/** The environment of the demo's agent processes: the caller's, with the run's settings filled in. */
export function triageProcessEnv(base: NodeJS.ProcessEnv, settings: TriageSettings): NodeJS.ProcessEnv {
  return {
    ...base,
    [TriageEnv.seed]: String(settings.seed),
    [TriageEnv.latencyMs]: String(settings.latencyMs),
    [TriageEnv.draftLatencyMs]: String(settings.draftLatencyMs),
    [TriageEnv.ledgerPrefix]: settings.ledgerPrefix,
    [TriageEnv.redisUrl]: settings.redisUrl,
  };
}
