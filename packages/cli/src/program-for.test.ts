import { Command } from 'commander';
import { buildProgram } from './program';
import { COMMAND_MODULES, commandNameOf, programFor } from './program-for';

describe('the program for one command line', () => {
  it('knows every command buildProgram has, each registered by the module it names', async () => {
    const all = buildProgram()
      .commands.map((c) => c.name())
      .sort();
    expect(Object.keys(COMMAND_MODULES).sort()).toEqual(all);
    for (const [name, load] of Object.entries(COMMAND_MODULES)) {
      const program = new Command('mesh');
      (await load())(program);
      expect(program.commands.map((c) => c.name())).toContain(name);
    }
  });

  it('builds only the named command, no command for --version, and every command otherwise', async () => {
    expect(commandNameOf(['node', 'mesh', 'status', '--json'])).toBe('status');
    expect(commandNameOf(['node', 'mesh', '--profile', 'prod', 'status'])).toBe('status');
    const status = await programFor(['node', 'mesh', 'status', '--json']);
    expect(status.commands.map((c) => c.name())).toEqual(['status']);
    // Finished as buildProgram finishes its commands (the connection profiles' option).
    expect(status.commands[0]!.options.map((o) => o.long)).toContain('--profile');
    expect((await programFor(['node', 'mesh', '--version'])).commands).toEqual([]);
    expect((await programFor(['node', 'mesh', '--help'])).commands.length).toBe(buildProgram().commands.length);
    expect((await programFor(['node', 'mesh', 'no-such-command'])).commands.length).toBe(buildProgram().commands.length);
  });
});
