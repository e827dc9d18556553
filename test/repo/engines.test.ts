import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { satisfies, subset, validRange } from 'semver';

// Every installed package must run on every Node the project declares: an npm install on a Node
// the project accepts then never warns EBADENGINE (as @kafkajs/confluent-schema-registry 4, which
// wants Node 22, did on Node 20). The lock file records each package's engines.

const ROOT = resolve(__dirname, '../..');
interface LockPackage {
  version?: string;
  engines?: { node?: string } | string[];
  optional?: boolean;
}
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };
const declared = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;

describe("the project's Node", () => {
  it('is a range the lock file records, and this machine is in it', () => {
    expect(validRange(declared)).not.toBeNull();
    expect(lock.packages['']?.engines).toEqual({ node: declared });
    expect(satisfies(process.version, declared)).toBe(true);
  });

  it("is within every installed package's engines", () => {
    const misfits = Object.entries(lock.packages)
      .filter(([path]) => path.startsWith('node_modules/') || path.includes('/node_modules/'))
      .flatMap(([path, pkg]) => {
        const node = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node;
        return node === undefined || subset(declared, node) ? [] : [`${path.replace(/^.*node_modules\//, '')}@${pkg.version ?? '?'} wants node ${node}`];
      });
    expect(misfits).toEqual([]);
  });
});
