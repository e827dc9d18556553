import { avroNamespaceFor, fillPlaceholders, InitError, packageNameFor, projectDependencies, projectPathOf, tarballPackageName } from './project-plan';

describe('projectPathOf', () => {
  it('drops the template suffix and keeps the folders', () => {
    expect(projectPathOf('src/agents/greeter.ts.tmpl')).toBe('src/agents/greeter.ts');
    expect(projectPathOf('package.json.tmpl')).toBe('package.json');
    expect(projectPathOf('schemas/topics.json')).toBe('schemas/topics.json');
  });

  it('gives gitignore its dot (npm pack would not ship a .gitignore)', () => {
    expect(projectPathOf('gitignore.tmpl')).toBe('.gitignore');
    expect(projectPathOf('sub/gitignore')).toBe('sub/.gitignore');
  });
});

describe('fillPlaceholders', () => {
  it('fills every placeholder, repeated ones too', () => {
    expect(fillPlaceholders('{{name}}: {{ns}}.{{name}}', { name: 'shop', ns: 'acme' })).toBe('shop: acme.shop');
  });

  it('refuses a placeholder without a value', () => {
    expect(() => fillPlaceholders('{{name}} {{missing}}', { name: 'x' })).toThrow('template placeholder {{missing}} has no value');
  });
});

describe('packageNameFor', () => {
  it('takes the directory name, lower-cased, other characters as -', () => {
    expect(packageNameFor('/home/ada/My Mesh')).toBe('my-mesh');
    expect(packageNameFor('/tmp/shop_agents.v2')).toBe('shop_agents.v2');
    expect(packageNameFor('/tmp/-odd-')).toBe('odd');
  });

  it('checks a given name instead', () => {
    expect(packageNameFor('/tmp/x', '@acme/shop-mesh')).toBe('@acme/shop-mesh');
    expect(() => packageNameFor('/tmp/x', 'Shop Mesh')).toThrow(new InitError("'Shop Mesh' cannot be an npm package name (lower-case letters, digits, - . _ ~); give one with --name"));
  });

  it('refuses a directory that leaves no name', () => {
    expect(() => packageNameFor('/tmp/???')).toThrow(InitError);
  });
});

describe('avroNamespaceFor', () => {
  it('makes dotted Avro identifiers of the package name', () => {
    expect(avroNamespaceFor('my-mesh')).toBe('my_mesh');
    expect(avroNamespaceFor('@acme/shop-mesh')).toBe('acme.shop_mesh');
    expect(avroNamespaceFor('shop.v2')).toBe('shop.v2');
    expect(avroNamespaceFor('2fast')).toBe('_2fast');
  });
});

describe('tarballPackageName', () => {
  it("reads a scoped package's name from npm pack's file name", () => {
    expect(tarballPackageName('agentmesh-runtime-0.1.0.tgz')).toBe('@agentmesh/runtime');
    expect(tarballPackageName('agentmesh-kafkajs-paths-0.1.0.tgz')).toBe('@agentmesh/kafkajs-paths');
    expect(tarballPackageName('agentmesh-cli-1.2.3-beta.1.tgz')).toBe('@agentmesh/cli');
  });

  it('ignores other files', () => {
    expect(tarballPackageName('left-pad-1.0.0.tgz')).toBeUndefined();
    expect(tarballPackageName('agentmesh-runtime.tgz')).toBeUndefined();
  });
});

describe('projectDependencies', () => {
  it('depends on the published versions of the mesh by default', () => {
    expect(projectDependencies({ meshVersion: '0.3.1', tsxRange: '^4.1.0' })).toEqual({
      dependencies: { '@agentmesh/runtime': '^0.3.1' },
      devDependencies: { '@agentmesh/cli': '^0.3.1', '@agentmesh/testing': '^0.3.1', '@types/node': '^20.19.0', tsx: '^4.1.0', typescript: '^5.9.3' },
    });
  });

  it('with tarballs, depends on them and overrides every mesh package with its tarball', () => {
    const tarballs = new Map([
      ['@agentmesh/runtime', '/p/agentmesh-runtime-0.1.0.tgz'],
      ['@agentmesh/cli', '/p/agentmesh-cli-0.1.0.tgz'],
      ['@agentmesh/testing', '/p/agentmesh-testing-0.1.0.tgz'],
      ['@agentmesh/broker', '/p/agentmesh-broker-0.1.0.tgz'],
    ]);
    const deps = projectDependencies({ meshVersion: '0.1.0', tsxRange: '^4.1.0', tarballs });
    expect(deps.dependencies).toEqual({ '@agentmesh/runtime': 'file:/p/agentmesh-runtime-0.1.0.tgz' });
    expect(deps.devDependencies['@agentmesh/cli']).toBe('file:/p/agentmesh-cli-0.1.0.tgz');
    expect(deps.overrides).toEqual({
      '@agentmesh/broker': 'file:/p/agentmesh-broker-0.1.0.tgz',
      '@agentmesh/cli': 'file:/p/agentmesh-cli-0.1.0.tgz',
      '@agentmesh/runtime': 'file:/p/agentmesh-runtime-0.1.0.tgz',
      '@agentmesh/testing': 'file:/p/agentmesh-testing-0.1.0.tgz',
    });
  });

  it('refuses tarballs that lack a package the project needs', () => {
    const tarballs = new Map([['@agentmesh/runtime', '/p/agentmesh-runtime-0.1.0.tgz']]);
    expect(() => projectDependencies({ meshVersion: '0.1.0', tsxRange: '^4', tarballs })).toThrow('--from-tarballs has no tarball of @agentmesh/cli (agentmesh-cli-<version>.tgz)');
  });
});
