/**
 * The shell commands of a Markdown file's ```sh blocks, as argument vectors: enough of the shell
 * (quotes, comments, line continuations, `&&` `;` `|` `&`, `VAR=value` prefixes, a `for ... do ...
 * done` loop) to check what a reader would paste, without running it.
 */

/** A command as the shell would run it, with the README line it starts on. */
export interface ShellCommand {
  line: number;
  argv: string[];
}

/** Each ```sh / ```bash / ```shell block's text, with the file line its first line is on. */
export function shellBlocks(markdown: string): Array<{ line: number; text: string }> {
  const blocks: Array<{ line: number; text: string }> = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(sh|bash|shell)\s*$/.test(lines[i]!)) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith('```')) end++;
    blocks.push({ line: start + 1, text: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

type Token = { kind: 'word'; text: string; line: number } | { kind: 'op'; line: number };

/** Words and command separators; comments and line continuations dropped. */
export function tokenize(text: string, firstLine = 1): Token[] {
  const tokens: Token[] = [];
  let line = firstLine;
  let word: string | undefined;
  let wordLine = line;
  const flush = () => {
    if (word !== undefined) tokens.push({ kind: 'word', text: word, line: wordLine });
    word = undefined;
  };
  const append = (c: string) => {
    if (word === undefined) wordLine = line;
    word = (word ?? '') + c;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === '\n') {
      i++;
      line++;
      continue;
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) throw new Error(`line ${line}: unclosed '`);
      append(text.slice(i + 1, close));
      line += text.slice(i, close).split('\n').length - 1;
      i = close;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let quoted = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        quoted += text[j];
        j++;
      }
      if (j >= text.length) throw new Error(`line ${line}: unclosed "`);
      append(quoted);
      i = j;
      continue;
    }
    if (c === '#' && word === undefined) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if (c === '\n' || c === ';' || c === '|' || c === '&') {
      flush();
      tokens.push({ kind: 'op', line });
      if (c === '\n') line++;
      if ((c === '|' || c === '&') && text[i + 1] === c) i++;
      continue;
    }
    if (c === ' ' || c === '\t') {
      flush();
      continue;
    }
    append(c);
  }
  flush();
  return tokens;
}

/** Simple commands, `VAR=value` prefixes dropped, `for` loops unrolled. */
export function shellCommands(text: string, firstLine = 1): ShellCommand[] {
  const simple: ShellCommand[] = [];
  let current: ShellCommand | undefined;
  for (const token of tokenize(text, firstLine)) {
    if (token.kind === 'op') {
      if (current) simple.push(current);
      current = undefined;
      continue;
    }
    if (!current && /^[A-Za-z_][A-Za-z0-9_]*=/.test(token.text)) continue;
    (current ??= { line: token.line, argv: [] }).argv.push(token.text);
  }
  if (current) simple.push(current);

  const commands: ShellCommand[] = [];
  for (let i = 0; i < simple.length; i++) {
    const command = simple[i]!;
    if (command.argv[0] !== 'for') {
      commands.push(command);
      continue;
    }
    const [, variable, inWord, ...values] = command.argv;
    if (variable === undefined || inWord !== 'in') throw new Error(`line ${command.line}: a for loop this reader does not follow`);
    const body: ShellCommand[] = [];
    for (i++; i < simple.length && simple[i]!.argv[0] !== 'done'; i++) {
      const part = simple[i]!;
      body.push(part.argv[0] === 'do' ? { line: part.line, argv: part.argv.slice(1) } : part);
    }
    const pattern = new RegExp(`\\$\\{?${variable}\\}?`, 'g');
    for (const value of values) for (const part of body) if (part.argv.length > 0) commands.push({ line: part.line, argv: part.argv.map((a) => a.replace(pattern, value)) });
  }
  return commands;
}
