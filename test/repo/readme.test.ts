import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { loadContracts } from '@agentmesh/schema-registry';
import { CONNECTION_VARIABLES } from '@agentmesh/runtime';
import { buildProgram } from '../../packages/cli/src/program';
import { parseEventInput } from '../../packages/cli/src/commands/publish/event-lines';
import { runMesh } from '../support/mesh-cli';
import { shellBlocks, shellCommands, tokenize, type ShellCommand } from './readme-commands';

// README's commands must be real and copy-pasteable. Every command of its ```sh blocks is checked
// by rules, without running the long-lived ones: a `mesh` command must exist with every flag given,
// its values must parse (a --value or a --file fits the topic's contract), every path must exist,
// an npm script must be in package.json. A command no rule knows fails the test: give it a rule.
// `mesh --version` and `mesh --help` run for real. Inline `mesh ...` spans of the prose are held to
// the same command and flag names.

const ROOT = resolve(__dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SCRIPTS = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
const CONTRACTS = new Map(loadContracts().map((c) => [c.topic, c.type]));
const program = buildProgram();

/** A repository path as README writes it: exists, or (built output) its TypeScript source does. */
function pathExists(path: string): boolean {
  const full = resolve(ROOT, path);
  if (existsSync(full)) return true;
  const source = full.replace(/\/dist\//, '/src/').replace(/\.js$/, '.ts');
  return source !== full && existsSync(source);
}

const looksLikePath = (word: string) => !word.includes('://') && !word.startsWith('{') && /^\.{0,2}\/?[\w.+$-]+(\/[\w.+$-]+)+\/?$/.test(word);

const isFlag = (word: string) => /^--?[A-Za-z]/.test(word);

function findOption(command: Command, flag: string): Option | undefined {
  for (let c: Command | null = command; c; c = c.parent) {
    const found = c.options.find((o) => o.long === flag || o.short === flag);
    if (found) return found;
  }
  return undefined;
}

/** The command an argv names, and where its own arguments start; or the word that is no command. */
function resolveCommand(args: readonly string[]): { command: Command; rest: string[] } | { unknown: string } {
  let command: Command = program;
  let i = 0;
  while (i < args.length && !isFlag(args[i]!) && command.commands.length > 0) {
    const next = command.commands.find((c) => c.name() === args[i] || c.aliases().includes(args[i]!));
    if (!next) {
      if (command === program) return { unknown: args[i]! };
      break;
    }
    command = next;
    i++;
  }
  return { command, rest: args.slice(i) };
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return ['mesh', ...names].join(' ');
}

const HELP_AND_VERSION = new Set(['--help', '-h', '--version', '-V']);

/**
 * What is wrong with `mesh <args>`, as README gives it. `inUsersProject`: a command run in a project of the user's
 * (bare `mesh`, as `npm install @agentmesh/cli` puts it on the path), whose paths are that project's, not ours.
 */
function meshProblems(args: readonly string[], inUsersProject = false): string[] {
  const resolved = resolveCommand(args);
  if ('unknown' in resolved) return [`mesh ${resolved.unknown}: no such command`];
  const { command, rest } = resolved;
  const problems: string[] = [];
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (!isFlag(word)) {
      positional.push(word);
      continue;
    }
    const [flag, inline] = word.split(/=(.*)/s, 2) as [string, string | undefined];
    if (HELP_AND_VERSION.has(flag)) continue;
    const option = findOption(command, flag);
    if (!option) {
      problems.push(`${commandPath(command)} has no option ${flag}`);
      continue;
    }
    if (option.required || option.optional) {
      const value = inline ?? rest[++i];
      if (value === undefined) problems.push(`${commandPath(command)} ${flag} needs a value`);
      else values.set(flag, value);
    }
  }
  if (!inUsersProject) for (const word of [...positional, ...values.values()]) if (looksLikePath(word) && !pathExists(word)) problems.push(`${word} does not exist`);
  if (commandPath(command) === 'mesh profile add') problems.push(...variableProblems(positional.slice(1)));

  if (commandPath(command) === 'mesh publish') problems.push(...publishProblems(positional[0], values));
  else if (values.has('--value')) problems.push(...jsonProblems('--value', values.get('--value')!));
  return problems;
}

/** A value elided for the page (`'{"id": 1, ...}'`) cannot be pasted. */
function jsonProblems(flag: string, text: string): string[] {
  try {
    JSON.parse(text);
    return [];
  } catch (error) {
    return [`${flag} is not JSON: ${(error as Error).message}`];
  }
}

/** A README publish must fit its topic's contract, so pasting it works. */
function publishProblems(topic: string | undefined, values: ReadonlyMap<string, string>): string[] {
  const type = topic === undefined ? undefined : CONTRACTS.get(topic);
  const fits = (value: unknown, where: string) => (type && !values.has('--json') && !type.isValid(value) ? [`${where} does not fit the contract of ${topic}`] : []);
  const problems: string[] = [];
  const inline = values.get('--value');
  if (inline !== undefined) {
    const notJson = jsonProblems('--value', inline);
    problems.push(...(notJson.length > 0 ? notJson : fits(JSON.parse(inline) as unknown, '--value')));
  }
  const file = values.get('--file');
  if (file !== undefined && file !== '-' && pathExists(file)) {
    const { events, problems: bad } = parseEventInput(readFileSync(resolve(ROOT, file), 'utf8'));
    problems.push(...bad.map((p) => `${file} line ${p.line}: ${p.message}`));
    for (const event of events) problems.push(...fits(event.value, `${file} line ${event.line}`));
  }
  return problems;
}

/** `echo '<json>' > file.json`: the text must be JSON. */
function jsonEchoProblems(args: string[]): string[] {
  const target = args[args.indexOf('>') + 1];
  if (!args.includes('>') || !target?.endsWith('.json')) return [];
  try {
    JSON.parse(args[0] ?? '');
    return [];
  } catch (error) {
    return [`echo > ${target}: not JSON (${(error as Error).message})`];
  }
}

/** librdkafka's configuration property names, from the kcat installed (test/support/test-tools.sh installs it). */
const LIBRDKAFKA_PROPERTIES: Set<string> | undefined = (() => {
  const listed = spawnSync('kcat', ['-X', 'list'], { encoding: 'utf8' });
  if (listed.status !== 0 || !listed.stdout) return undefined;
  return new Set(
    listed.stdout
      .split('\n')
      .map((l) => /^([a-z][a-z0-9._]+)\s+\|/.exec(l)?.[1])
      .filter((n): n is string => n !== undefined),
  );
})();

/** `kcat`: a broker list, one mode, and every -X a property librdkafka knows. */
function kcatProblems(args: string[]): string[] {
  const problems: string[] = [];
  if (!args.includes('-b')) problems.push('kcat needs -b <brokers>');
  if (!args.some((a) => ['-L', '-C', '-P', '-Q'].includes(a))) problems.push('kcat needs a mode (-L, -C, -P or -Q)');
  if (!LIBRDKAFKA_PROPERTIES) return [...problems, 'kcat is not installed: its -X properties cannot be checked (npm test installs it)'];
  args.forEach((a, i) => {
    if (a !== '-X') return;
    const key = args[i + 1]?.split('=')[0] ?? '';
    if (!LIBRDKAFKA_PROPERTIES.has(key)) problems.push(`kcat -X ${key}: not a librdkafka property`);
  });
  return problems;
}

/** The connection variables the mesh reads (and their `_FILE` forms): README may set no other. */
const CONNECTION_VARIABLE_NAMES = new Set(CONNECTION_VARIABLES.flatMap((v) => [v.name, `${v.name}_FILE`]));

/** `NAME=value` words (an `export`, a profile's settings): each NAME a variable the mesh reads. */
function variableProblems(assignments: readonly string[]): string[] {
  return assignments.flatMap((a) => {
    const name = /^([A-Z][A-Z0-9_]*)=/.exec(a)?.[1];
    if (name === undefined) return [`${a}: not NAME=value`];
    return CONNECTION_VARIABLE_NAMES.has(name) ? [] : [`${name}: not a connection variable the mesh reads (packages/runtime/src/connection/variables.ts)`];
  });
}

/** What is wrong with one README command; a command no rule knows is a problem too. */
function commandProblems({ argv }: ShellCommand): string[] {
  const [program0, ...args] = argv;
  // A synopsis's optional parts (`[--port 9092]`) are checked as if given.
  if (program0 === 'npx' && args[0] === 'mesh') return meshProblems(args.slice(1).map((w) => w.replace(/^\[|\]$/g, '')));
  // The published CLI, run once to scaffold a project; and `mesh` inside that project.
  if (program0 === 'npx' && args[0] === '@agentmesh/cli') return meshProblems(args.slice(1), true);
  if (program0 === 'mesh') return meshProblems(args, true);
  if (program0 === 'export') return variableProblems(args);
  if (program0 === 'npm') {
    const [verb, script] = args;
    if (verb === 'install' || verb === 'ci') return [];
    if (verb === 'test' || verb === 'start') return SCRIPTS.includes(verb) ? [] : [`package.json has no ${verb} script`];
    if (verb === 'run') return script !== undefined && SCRIPTS.includes(script) ? [] : [`package.json has no script ${script ?? '(none)'}`];
    return [`npm ${verb ?? ''}: no rule checks it`];
  }
  if (program0 === 'docker' && args[0] === 'compose') {
    const file = args[args.indexOf('-f') + 1];
    return args.includes('-f') && file !== undefined && pathExists(file) ? [] : [`docker compose file ${file ?? '(none)'} does not exist`];
  }
  if (program0 === 'node') return args.filter(looksLikePath).flatMap((p) => (pathExists(p) ? [] : [`${p} does not exist`]));
  // Writes a file the next commands read (a users file, say): only its JSON is checked, when it is JSON.
  if (program0 === 'echo') return jsonEchoProblems(args);
  if (program0 === 'kcat') return kcatProblems(args);
  return [`${argv.join(' ')}: no rule checks it (add one to test/repo/readme.test.ts)`];
}

const COMMANDS = shellBlocks(README).flatMap((block) => shellCommands(block.text, block.line));

/** The `mesh ...` spans of the prose (inline code), with placeholders and optional brackets dropped. */
function inlineMeshSpans(markdown: string): string[][] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return [...prose.matchAll(/`(?:npx )?mesh ([^`]+)`/g)].map((m) =>
    tokenize(m[1]!)
      .flatMap((t) => (t.kind === 'word' ? [t.text.replace(/^\[|\]$/g, '')] : []))
      .filter((w) => !/^[<[]/.test(w) && !w.includes('|') && !w.includes('<')),
  );
}

describe('the shell reader of README', () => {
  it('follows quotes, comments, continuations, separators, env prefixes and for loops', () => {
    const text = ['A=1 npx mesh x --value \'{"a": "b c"}\' # comment', 'npm run y && npm test; b | c &', 'for p in u v; do npx mesh run d/$p.js & done', 'echo one \\', '  two'].join('\n');
    expect(shellCommands(text, 10)).toEqual([
      { line: 10, argv: ['npx', 'mesh', 'x', '--value', '{"a": "b c"}'] },
      { line: 11, argv: ['npm', 'run', 'y'] },
      { line: 11, argv: ['npm', 'test'] },
      { line: 11, argv: ['b'] },
      { line: 11, argv: ['c'] },
      { line: 12, argv: ['npx', 'mesh', 'run', 'd/u.js'] },
      { line: 12, argv: ['npx', 'mesh', 'run', 'd/v.js'] },
      { line: 13, argv: ['echo', 'one', 'two'] },
    ]);
  });

  it('finds a wrong command, flag, path, script, value and file', () => {
    const check = (line: string) => shellCommands(line).flatMap(commandProblems);
    expect(check('npx mesh nope')).toEqual(['mesh nope: no such command']);
    expect(check('npx mesh broker [--nope N]')).toEqual(['mesh broker has no option --nope']);
    expect(check('npx mesh publish invoices.received --nope 1')).toContain('mesh publish has no option --nope');
    expect(check('npx mesh run dist/validation.js')).toEqual(['dist/validation.js does not exist']);
    expect(check('npm run nope')).toEqual(['package.json has no script nope']);
    expect(check(`npx mesh publish invoices.received --value '{"invoiceId":"inv-1", ...}'`)).toEqual([expect.stringMatching(/^--value is not JSON/)]);
    expect(check(`npx mesh publish invoices.received --value '{"invoiceId":"inv-1"}'`)).toEqual(['--value does not fit the contract of invoices.received']);
    expect(jsonProblems('--value', '...')).toEqual([expect.stringMatching(/^--value is not JSON/)]);
    expect(check('curl http://x')).toEqual(['curl http://x: no rule checks it (add one to test/repo/readme.test.ts)']);
    expect(check("echo '{not json' > users.json")).toEqual([expect.stringMatching(/^echo > users.json: not JSON/) as string]);
    expect(check('kcat -b 127.0.0.1:9092 -X bogus.property=1 -L')).toEqual(['kcat -X bogus.property: not a librdkafka property']);
    expect(check('export KAFKA_SASL_PASSWORD_FILE=/x KAFKA_PASSWORD=y')).toEqual([expect.stringMatching(/^KAFKA_PASSWORD: not a connection variable/) as string]);
    expect(check('mesh profile add prod KAFKA_BROKER=x')).toEqual([expect.stringMatching(/^KAFKA_BROKER: not a connection variable/) as string]);
    expect(check('mesh run --nope dist/agents/mine.js')).toEqual(['mesh run has no option --nope']);
  });
});

describe("README's commands", () => {
  it('has shell blocks to check', () => {
    expect(COMMANDS.length).toBeGreaterThan(10);
  });

  it.each(COMMANDS.map((c) => [`line ${c.line}: ${c.argv.join(' ').slice(0, 100)}`, c] as const))('%s is real', (_name, command) => {
    expect(commandProblems(command)).toEqual([]);
  });

  it('names only real mesh commands and flags in its prose', () => {
    const spans = inlineMeshSpans(README);
    expect(spans.length).toBeGreaterThan(5);
    const problems = spans.flatMap((words) => meshProblems(words.filter((w) => isFlag(w) || !looksLikePath(w))).filter((p) => !p.endsWith('needs a value')));
    expect(problems).toEqual([]);
  });

  it('every code path it names exists', () => {
    // Not ours: a user's config directory.
    const paths = [...README.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!).filter((p) => looksLikePath(p) && !p.startsWith('.mesh') && !p.startsWith('$'));
    expect(paths.length).toBeGreaterThan(5);
    expect(paths.filter((p) => !pathExists(p))).toEqual([]);
  });

  it('mesh --version and mesh --help run', async () => {
    const version = await runMesh(['--version'], {}, 30_000);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string };
    expect(version).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: '' });
    const help = await runMesh(['--help'], {}, 30_000);
    expect(help.code).toBe(0);
    const used = new Set(COMMANDS.filter((c) => c.argv[1] === 'mesh' && c.argv[2] && !isFlag(c.argv[2])).map((c) => c.argv[2]!));
    for (const name of used) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });
});
