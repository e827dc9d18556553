import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { UsageError } from '../../options';
import { meshVersion } from '../../version';
import { avroNamespaceFor, InitError, packageNameFor, projectDependencies } from './project-plan';
import { findTarballs, scaffoldProject, shownPath } from './scaffold';
import { cliManifest } from './cli-manifest';

interface InitFlags {
  name?: string;
  fromTarballs?: string;
}

/** `mesh init [dir]`: a TypeScript project with one agent, its contracts and their types, a test and npm scripts. */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('create a TypeScript agentmesh project: one agent, its Avro contracts and topic map, their generated types, a test on @agentmesh/testing, npm scripts for dev, run and test')
    .argument('[dir]', 'a new or empty directory', '.')
    .option('--name <package>', 'the npm package name (default: the directory name)')
    .addOption(new Option('--from-tarballs <dir>', "depend on the mesh's packages as `npm pack` tarballs in <dir> (a checkout, tests) instead of their published versions"))
    .action((dirArg: string, flags: InitFlags) => {
      const dir = resolve(dirArg);
      try {
        const packageName = packageNameFor(dir, flags.name);
        const manifest = cliManifest();
        const dependencies = projectDependencies({
          meshVersion: meshVersion(),
          tsxRange: manifest.dependencies.tsx,
          ...(flags.fromTarballs !== undefined ? { tarballs: findTarballs(flags.fromTarballs) } : {}),
        });
        const files = scaffoldProject({ dir, packageName, dependencies, placeholders: { name: packageName, namespace: avroNamespaceFor(packageName), nodeEngines: manifest.engines.node } });
        const cd = shownPath(dir);
        process.stdout.write(
          [
            `created ${packageName} in ${cd}: ${files.length} files (agent src/agents/greeter.ts, contracts in schemas/, test in test/)`,
            'next:',
            ...(cd === '.' || dir === process.cwd() ? [] : [`  cd ${cd}`]),
            '  npm install',
            '  npm test          # the agent on @agentmesh/testing, in-process',
            '  npm run dev       # broker, schema registry and console; then `npm start` in another terminal',
            '',
          ].join('\n'),
        );
      } catch (error) {
        if (error instanceof InitError) throw new UsageError(error.message);
        throw error;
      }
    });
}
