import { exitWithCode, parseDemoFlags, wholeNumber } from '../demo/cli';
import { runSignupDemo } from './demo';
import { signupReportOk } from './report';

const USAGE = `usage: node packages/examples/dist/signup/main.js [--signups N] [--timeout SECONDS]

Runs the account signup saga demo: embedded broker and registry, the saga
coordinator (state in Redis at REDIS_URL, default redis://127.0.0.1:6379,
under a key prefix of the run), the users, subscriptions and emails
participants as separate \`mesh run\` processes, and N signups (default 50, or
MESH_SIGNUP_COUNT). Every 20th account is marked to hang at the email step;
the others' welcome emails bounce or hang at MESH_SIGNUP_EMAIL_FAIL_RATE
(default 0.1) and MESH_SIGNUP_EMAIL_HANG_RATE (default 0.05) per send
(MESH_FAIL_SEED varies the pattern).
`;

export interface SignupDemoArgs {
  signups?: number;
  settleTimeoutMs?: number;
  help: boolean;
}

/** Parses the demo's flags (and MESH_SIGNUP_COUNT); throws with the usage on anything else. */
export function parseSignupDemoArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): SignupDemoArgs {
  const fromEnv = env.MESH_SIGNUP_COUNT?.trim();
  const countFromEnv = fromEnv ? wholeNumber('MESH_SIGNUP_COUNT', fromEnv, 'a whole number >= 1', USAGE) : undefined;
  const { count = countFromEnv, ...args } = parseDemoFlags(argv, '--signups', USAGE);
  return count === undefined ? args : { ...args, signups: count };
}

async function main(): Promise<number> {
  const args = parseSignupDemoArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { report } = await runSignupDemo({ signups: args.signups, settleTimeoutMs: args.settleTimeoutMs });
  // Compensated and even stuck sagas are expected outcomes; effects that disagree with them, or sagas that never end, are not.
  return signupReportOk(report) ? 0 : 1;
}

if (require.main === module) exitWithCode(main);
