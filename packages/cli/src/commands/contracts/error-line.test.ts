import { ContractError } from '@agentmesh/schema-registry';
import { contractErrorLine } from './error-line';

describe('contractErrorLine', () => {
  const bad = new ContractError('shop/order.avsc', 'shop/order.avsc: Invalid schema: unknown type strin');

  test("puts the project's directory in front of a project file", () => {
    expect(contractErrorLine(bad, { kind: 'dir', dir: 'schemas' })).toBe('schemas/shop/order.avsc: Invalid schema: unknown type strin');
  });

  test('also when the file is the subject of the sentence', () => {
    const gone = new ContractError('shop/gone.avsc', 'shop/gone.avsc is listed in topics.json but does not exist');
    expect(contractErrorLine(gone, { kind: 'dir', dir: 'schemas' })).toBe('schemas/shop/gone.avsc is listed in topics.json but does not exist');
  });

  test('leaves a message that does not start with the file, and the mesh files, as they are', () => {
    const missing = new ContractError('topics.json', '/p/schemas/topics.json is missing: it maps each topic to its .avsc file');
    expect(contractErrorLine(missing, { kind: 'dir', dir: 'schemas' })).toBe(missing.message);
    const mesh = new ContractError('mesh/x.avsc', 'mesh/x.avsc: broken');
    expect(contractErrorLine(mesh, { kind: 'dir', dir: 'schemas' })).toBe('mesh/x.avsc: broken');
  });

  test('keeps to one line', () => {
    expect(contractErrorLine(new ContractError('a.avsc', 'a.avsc: first\nsecond'), { kind: 'none', note: '' })).toBe('a.avsc: first');
  });
});
