import { InvalidArgumentError } from 'commander';
import { MAX_REPLICAS, parseReplicas, replicaArgs, replicaPort, type ReplicaFlags } from './supervise';

describe('parseReplicas', () => {
  it('takes a whole number from 1 to the maximum', () => {
    expect(parseReplicas('1')).toBe(1);
    expect(parseReplicas('2')).toBe(2);
    expect(parseReplicas(String(MAX_REPLICAS))).toBe(MAX_REPLICAS);
  });

  it.each(['0', '-1', '1.5', 'two', '', String(MAX_REPLICAS + 1), '100000'])('refuses %p in one line', (value) => {
    expect(() => parseReplicas(value)).toThrow(InvalidArgumentError);
    expect(() => parseReplicas(value)).toThrow(`'${value}' is not a replica count (a whole number from 1 to ${MAX_REPLICAS})`);
  });
});

describe('replica ports and arguments', () => {
  const flags: ReplicaFlags = { json: false, port: 0, host: '127.0.0.1', sessionTimeout: 3000, drainTimeout: 30000 };

  it('gives replica i the port P+i when --port P was given, else a free one', () => {
    expect([0, 1, 2].map((i) => replicaPort(9100, i))).toEqual([9100, 9101, 9102]);
    expect([0, 1, 2].map((i) => replicaPort(0, i))).toEqual([0, 0, 0]);
  });

  it('runs the same module with the same flags, without --replicas, on its own port', () => {
    const all = { ...flags, brokers: ['a:9092', 'b:9092'], registry: 'http://r:8081', redis: 'redis://x:6379', port: 9100, host: '127.0.0.1' };
    expect(replicaArgs('/abs/agent.js', all, 1)).toEqual([
      'run',
      '/abs/agent.js',
      '--brokers',
      'a:9092,b:9092',
      '--registry',
      'http://r:8081',
      '--redis',
      'redis://x:6379',
      '--port',
      '9101',
      '--host',
      '127.0.0.1',
      '--session-timeout',
      '3000',
      '--drain-timeout',
      '30000',
    ]);
  });

  it('leaves out what was not given, so each replica falls back to the environment as a single run does', () => {
    const args = replicaArgs('/abs/agent.js', { ...flags, json: true }, 0);
    expect(args).toEqual(['run', '/abs/agent.js', '--json', '--port', '0', '--host', '127.0.0.1', '--session-timeout', '3000', '--drain-timeout', '30000']);
    expect(args).not.toContain('--replicas');
  });
});
