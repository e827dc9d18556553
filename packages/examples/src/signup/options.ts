import { signupLedgerFromEnv, type SignupLedger } from './ledger';

/** What a signup participant can be given instead of its defaults (tests pass a ledger of their own). */
export interface SignupParticipantOptions {
  /** Where effects are written; default from the environment (Redis at REDIS_URL, see signupLedgerFromEnv). */
  ledger?: SignupLedger;
  /** The participant's own deadline per handler call; longer than the saga's step timeouts, so the coordinator's deadline decides. */
  timeoutMs?: number;
}

/** The participants' names: their consumer groups (and `mesh run` log names). Here, so naming them loads no participant. */
export const SignupParticipants = {
  users: 'signup-users',
  subscriptions: 'signup-subscriptions',
  emails: 'signup-emails',
} as const;

export const SIGNUP_PARTICIPANT_TIMEOUT_MS = 10_000;

export function resolveParticipantOptions(options: SignupParticipantOptions): Required<SignupParticipantOptions> {
  return { ledger: options.ledger ?? signupLedgerFromEnv(), timeoutMs: options.timeoutMs ?? SIGNUP_PARTICIPANT_TIMEOUT_MS };
}
