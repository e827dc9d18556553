import { randomBytes } from 'node:crypto';
import { defineAgent, type Agent, type AgentContext, type OutputEvent } from '@agentmesh/runtime';
import type { SupportTicket, TicketTriaged } from '@agentmesh/schema-registry';
import { AnsweredBy, keywordTriage, Prompts, readClassification, triageProblem } from './answers';
import { TRIAGE_AGENT, triageSettingsFromEnv, TriageSteps, triageTimeoutMs, TriageTopics, type TriageSettings } from './options';
import { STAND_IN_MODELS, StandInLlm, type LlmTask, type StandInModel } from './stand-in-llm';
import { TriageLedger } from './ledger';

/** Step names of the backup model's try: apart from the handler's, so each is journaled on its own. */
export const BACKUP_STEP_PREFIX = 'backup:';

export interface TriageAgentDeps {
  settings: TriageSettings;
  ledger: TriageLedger;
  /** This process's id in the token ledger. */
  instance: string;
}

function triagedOutput(value: TicketTriaged): OutputEvent<TicketTriaged> {
  return { topic: TriageTopics.triaged, key: value.ticketId, value };
}

/**
 * One model's answer to a ticket in three journaled steps: classify, summarize, draft a reply. Each step's
 * answer is journaled before the next runs, so after a crash or a retry the model is not asked (nor paid) again
 * for what it already answered. An unreadable classification ends the try early: the answer goes to validation
 * as it is (no category), and the agent's next alternative answers instead.
 */
export async function triageWithModel(ticket: SupportTicket, model: StandInModel, stepPrefix: string, ctx: AgentContext, llm: StandInLlm, deps: TriageAgentDeps): Promise<TicketTriaged> {
  let tokens = 0;
  const ask = async (step: string, task: LlmTask, prompt: string): Promise<string> => {
    const name = `${stepPrefix}${step}`;
    let called = false;
    const answer = await ctx.step(name, (signal) => {
      called = true;
      return llm.complete({ model, task, prompt, ticketId: ticket.ticketId, step: name }, signal);
    });
    // Not called: the journal had the answer (an earlier attempt of this event, maybe in a process since killed).
    if (!called) await deps.ledger.replayed({ ticketId: ticket.ticketId, step: name, tokens: answer.tokens });
    tokens += answer.tokens;
    return answer.text;
  };
  const modelAnswer = await ask(TriageSteps.classify, 'classify', Prompts.classify(ticket));
  const classified = readClassification(modelAnswer);
  const answeredBy = stepPrefix === '' ? AnsweredBy.handler : AnsweredBy.backupModel;
  const base = { ticketId: ticket.ticketId, customer: ticket.customer, answeredBy, modelAnswer };
  if (!classified.ok) return { ...base, category: null, priority: null, summary: '', reply: '', tokens };
  const summary = await ask(TriageSteps.summarize, 'summarize', Prompts.summarize(ticket));
  const reply = await ask(TriageSteps.draftReply, 'draft-reply', Prompts.draftReply(ticket, classified.category));
  return { ...base, category: classified.category, priority: classified.priority, summary, reply, tokens };
}

/**
 * Support triage on the stand-in model: the primary model answers in three journaled steps; an answer that fails
 * validation (unreadable JSON, a refusal, no reply) is not retried, the backup model answers, and if it fails too
 * the keyword rules do. Every triaged ticket starts a ticket reply saga that waits for a person's approval.
 */
export function createTriageAgent(deps: TriageAgentDeps): Agent<SupportTicket, TicketTriaged> {
  const { seed, latencyMs, draftLatencyMs } = deps.settings;
  const llm = new StandInLlm({ seed, latencyMs, taskLatencyMs: { 'draft-reply': draftLatencyMs }, meter: deps.ledger, instance: deps.instance });
  return defineAgent<SupportTicket, TicketTriaged>({
    name: TRIAGE_AGENT,
    consumes: [TriageTopics.tickets],
    produces: [TriageTopics.triaged],
    // Six model calls at most (three per model) fit inside; a short deadline also bounds how long the claim of a
    // killed process holds its events (deadline + 5 s).
    timeoutMs: triageTimeoutMs(deps.settings),
    retry: { delaysMs: [200, 1_000], maxAttempts: 3, jitter: 0.2 },
    async handle(event, ctx) {
      return [triagedOutput(await triageWithModel(event.value, STAND_IN_MODELS.primary, '', ctx, llm, deps))];
    },
    outputs: {
      validate: (outputs) => {
        const problem = outputs.map((o) => triageProblem(o.value)).find((p) => p !== undefined);
        return problem ?? true;
      },
      alternatives: [
        { name: AnsweredBy.backupModel, handle: async (event, ctx) => [triagedOutput(await triageWithModel(event.value, STAND_IN_MODELS.backup, BACKUP_STEP_PREFIX, ctx, llm, deps))] },
        { name: AnsweredBy.keywordRules, handle: (event) => [triagedOutput(keywordTriage(event.value))] },
      ],
    },
  });
}

/** The agent as `mesh run` loads it: settings and the token ledger from the environment. */
export function triageAgentFromEnv(env: NodeJS.ProcessEnv = process.env): Agent<SupportTicket, TicketTriaged> {
  const settings = triageSettingsFromEnv(env);
  return createTriageAgent({ settings, ledger: new TriageLedger(settings.redisUrl, settings.ledgerPrefix), instance: `${process.pid}-${randomBytes(3).toString('hex')}` });
}

export default triageAgentFromEnv();
