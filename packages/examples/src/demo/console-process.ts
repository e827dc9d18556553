import { join } from 'node:path';
import { startMeshProcess, type MeshProcess } from './agent-processes';

export interface ConsoleProcess {
  url: string;
  process: MeshProcess;
}

/** The line `mesh console` prints once it serves: `console on <url>`; the URL, or undefined for other lines. */
export function consoleUrlOf(line: string): string | undefined {
  return /^console on (http:\/\/\S+)$/.exec(line.trim())?.[1];
}

/**
 * Runs `mesh console` as its own process on a free port (the demo does not depend on the CLI package, it runs its
 * command, as it runs the agents), and resolves with the URL it serves on.
 */
export async function startConsoleProcess(options: { meshBin: string; brokers: string[]; registryUrl: string; env: NodeJS.ProcessEnv; logDir: string }): Promise<ConsoleProcess> {
  let url: string | undefined;
  const started = await startMeshProcess({
    name: 'the console',
    meshBin: options.meshBin,
    args: ['console', '--port', '0', '--brokers', options.brokers.join(','), '--registry', options.registryUrl],
    env: options.env,
    logFile: join(options.logDir, 'console.log'),
    readyTimeoutMs: 30_000,
    isReady: (line) => {
      url ??= consoleUrlOf(line);
      return url !== undefined;
    },
  });
  return { url: url!, process: started };
}
