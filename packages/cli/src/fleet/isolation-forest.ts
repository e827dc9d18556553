// Our own isolation forest (Liu, Ting and Zhou, 2008): the npm packages for it (isolation-forest 0.0.x,
// ml-isolation-forest 0.1.0) are unmaintained pre-releases, and the algorithm is small.

type Tree = { size: number } | { feature: number; split: number; left: Tree; right: Tree };

export interface IsolationForestOptions {
  /** Trees in the forest. Default 100. */
  trees?: number;
  /** Points each tree is grown from. Default 256 (or all points when fewer). */
  sampleSize?: number;
  /** Seeds the forest's randomness, so one history always gives the same scores. Default 1. */
  seed?: number;
}

/** A small seeded generator (mulberry32): the same forest for the same input, in tests and between refreshes. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The average path length of an unsuccessful search in a binary search tree of n points: the normaliser of path lengths. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649) - (2 * (n - 1)) / n;
}

function grow(points: readonly number[][], depth: number, limit: number, random: () => number): Tree {
  if (depth >= limit || points.length <= 1) return { size: points.length };
  const dims = points[0]!.length;
  // Only features that still vary in this node can split it.
  const varying: Array<{ feature: number; min: number; max: number }> = [];
  for (let f = 0; f < dims; f++) {
    let min = Infinity;
    let max = -Infinity;
    for (const p of points) {
      min = Math.min(min, p[f]!);
      max = Math.max(max, p[f]!);
    }
    if (max > min) varying.push({ feature: f, min, max });
  }
  if (varying.length === 0) return { size: points.length };
  const { feature, min, max } = varying[Math.floor(random() * varying.length)]!;
  const split = min + random() * (max - min);
  const left = points.filter((p) => p[feature]! < split);
  const right = points.filter((p) => p[feature]! >= split);
  return { feature, split, left: grow(left, depth + 1, limit, random), right: grow(right, depth + 1, limit, random) };
}

function pathLength(tree: Tree, point: readonly number[], depth = 0): number {
  if ('size' in tree) return depth + averagePathLength(tree.size);
  return pathLength(point[tree.feature]! < tree.split ? tree.left : tree.right, point, depth + 1);
}

/** Scores points by how easily random splits isolate them: near 1 is anomalous, near 0.5 or below is ordinary. */
export class IsolationForest {
  private constructor(
    private readonly trees: readonly Tree[],
    private readonly sampleSize: number,
  ) {}

  static fit(points: readonly number[][], options: IsolationForestOptions = {}): IsolationForest {
    if (points.length === 0) throw new RangeError('an isolation forest needs at least one point to learn from');
    const random = seededRandom(options.seed ?? 1);
    const sampleSize = Math.min(options.sampleSize ?? 256, points.length);
    const limit = Math.ceil(Math.log2(Math.max(2, sampleSize)));
    const trees: Tree[] = [];
    for (let t = 0; t < (options.trees ?? 100); t++) {
      // A sample without replacement (a partial Fisher-Yates shuffle).
      const pool = [...points];
      for (let i = 0; i < sampleSize; i++) {
        const j = i + Math.floor(random() * (pool.length - i));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      }
      trees.push(grow(pool.slice(0, sampleSize), 0, limit, random));
    }
    return new IsolationForest(trees, sampleSize);
  }

  score(point: readonly number[]): number {
    const c = averagePathLength(this.sampleSize);
    if (c === 0) return 0.5;
    const mean = this.trees.reduce((sum, tree) => sum + pathLength(tree, point), 0) / this.trees.length;
    return 2 ** (-mean / c);
  }
}
