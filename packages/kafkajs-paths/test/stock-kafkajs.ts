import { kafkajsPathsStatus } from '../src/index';

/**
 * A kafkajs module (`file`, under kafkajs/) as kafkajs wrote it, the reference the tests compare
 * against: kafkajs's patched modules wrap their exports in this package's paths when they load,
 * unless MESH_KAFKAJS=stock, which is set while it loads (and what it requires in turn).
 */
export function stockKafkajs<T>(file: string): T {
  const before = process.env.MESH_KAFKAJS;
  process.env.MESH_KAFKAJS = 'stock';
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(`kafkajs/${file}`) as T;
    // A path already in place in this module registry could have made the reference ours.
    const inPlace = Object.entries(kafkajsPathsStatus()).filter(([, state]) => state === 'in-place');
    if (inPlace.length > 0) throw new Error(`kafkajs loaded with our paths before its reference (${inPlace.map(([path]) => path).join(', ')})`);
    return loaded;
  } finally {
    if (before === undefined) delete process.env.MESH_KAFKAJS;
    else process.env.MESH_KAFKAJS = before;
  }
}
