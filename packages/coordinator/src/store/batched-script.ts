import { LuaScript } from '@agentmesh/runtime/internal';

/**
 * A per-saga Lua body (written against `K` and `A`, the saga's keys and arguments) and the two scripts made
 * from it: one that runs it once (KEYS and ARGV as they are), and one that runs it for several sagas in one
 * call (KEYS and ARGV the sagas' slices one after the other) and returns each one's answer in order.
 */
export class PerSagaScript {
  readonly single: LuaScript;
  readonly many: LuaScript;

  constructor(
    readonly keysPerSaga: number,
    readonly argsPerSaga: number,
    body: string,
  ) {
    const fn = `local function run(K, A)\n${body}\nend\n`;
    this.single = new LuaScript(`${fn}return run(KEYS, ARGV)`);
    this.many = new LuaScript(`${fn}
local out = {}
for i = 0, (#KEYS / ${keysPerSaga}) - 1 do
  local K, A = {}, {}
  for j = 1, ${keysPerSaga} do K[j] = KEYS[i * ${keysPerSaga} + j] end
  for j = 1, ${argsPerSaga} do A[j] = ARGV[i * ${argsPerSaga} + j] end
  out[i + 1] = run(K, A)
end
return out`);
  }
}

/** Runs one of the two scripts with the keys and arguments given. */
export type ScriptRunner = (script: LuaScript, keys: readonly string[], args: ReadonlyArray<string | number>) => Promise<unknown>;

interface Pending {
  keys: readonly string[];
  args: ReadonlyArray<string | number>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit for a per-saga script: the calls asked for in one turn of the event loop (the sagas of one
 * consumed batch, driven side by side) go to Redis as one script call, each saga's write still checked and
 * applied on its own inside it. One call costs the coordinator about what one saga's did, so a burst pays for
 * a handful of calls instead of one per saga; a lone call waits only for the end of the current turn.
 */
export class BatchedScript {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly script: PerSagaScript,
    private readonly runScript: ScriptRunner,
    /** Sagas per call at most (bounds one script's time inside Redis). */
    private readonly maxPerCall = 256,
  ) {}

  run(keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    if (keys.length !== this.script.keysPerSaga || args.length !== this.script.argsPerSaga) {
      return Promise.reject(new Error(`batched script: expected ${this.script.keysPerSaga} keys and ${this.script.argsPerSaga} arguments, got ${keys.length} and ${args.length}`));
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ keys, args, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.pending;
    this.pending = [];
    for (let from = 0; from < all.length; from += this.maxPerCall) void this.send(all.slice(from, from + this.maxPerCall));
  }

  private async send(group: Pending[]): Promise<void> {
    try {
      if (group.length === 1) {
        const only = group[0]!;
        only.resolve(await this.runScript(this.script.single, only.keys, only.args));
        return;
      }
      const answers = await this.runScript(
        this.script.many,
        group.flatMap((p) => p.keys),
        group.flatMap((p) => p.args),
      );
      const each = splitAnswers(answers, group.length);
      group.forEach((p, i) => p.resolve(each[i]));
    } catch (error) {
      for (const p of group) p.reject(error);
    }
  }
}

/** The many-script's answer, one per saga; anything else is a broken script, said so. */
export function splitAnswers(answers: unknown, count: number): unknown[] {
  if (!Array.isArray(answers) || answers.length !== count) {
    throw new Error(`batched script: expected ${count} answers, got ${Array.isArray(answers) ? answers.length : typeof answers}`);
  }
  return answers;
}
