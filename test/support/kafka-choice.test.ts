import { startTestBroker, testKafka } from './kafka';
import { dockerUnreachable } from './kafka-container';
import kafkaGlobalSetup from './kafka-global-setup';
import kafkaGlobalTeardown from './kafka-global-teardown';
import { chooseTestKafka, describeKafkaChoice, HANDED, parseTestBrokers, suiteKafka, TestKafkaConfigError } from './kafka-choice';

// Which Kafka the end-to-end suites run on, and the one line a run prints about it.

describe('chooseTestKafka', () => {
  it('is the embedded broker when nothing asks for another', () => {
    expect(chooseTestKafka({})).toEqual({ kind: 'embedded', why: 'default' });
    expect(chooseTestKafka({ KAFKA_BROKERS: '  ', SCHEMA_REGISTRY_URL: 'http://r:8081' })).toEqual({ kind: 'embedded', why: 'default' });
  });

  it('is the cluster at KAFKA_BROKERS, with SCHEMA_REGISTRY_URL when set', () => {
    expect(chooseTestKafka({ KAFKA_BROKERS: 'k1:9092, k2:9093' })).toEqual({ kind: 'external', brokers: ['k1:9092', 'k2:9093'], registryUrl: undefined });
    expect(chooseTestKafka({ KAFKA_BROKERS: '[::1]:9092', SCHEMA_REGISTRY_URL: 'http://r:8081' })).toEqual({ kind: 'external', brokers: ['[::1]:9092'], registryUrl: 'http://r:8081' });
  });

  it('asks for a container with MESH_TEST_KAFKA=container, which KAFKA_BROKERS (the started container) then answers', () => {
    expect(chooseTestKafka({ MESH_TEST_KAFKA: 'container' })).toEqual({ kind: 'container' });
    expect(chooseTestKafka({ MESH_TEST_KAFKA: 'container', KAFKA_BROKERS: 'localhost:32768' }).kind).toBe('external');
  });

  it('keeps the embedded broker with MESH_TEST_KAFKA=embedded, whatever KAFKA_BROKERS says', () => {
    expect(chooseTestKafka({ MESH_TEST_KAFKA: 'embedded', KAFKA_BROKERS: 'dev-cluster:9092' })).toEqual({ kind: 'embedded', why: 'asked' });
  });

  it.each([
    [{ MESH_TEST_KAFKA: 'docker' }, "MESH_TEST_KAFKA is 'docker'; it takes 'container' (Apache Kafka in Docker) or 'embedded'"],
    [{ KAFKA_BROKERS: 'k1' }, "KAFKA_BROKERS: 'k1' is not host:port"],
    [{ KAFKA_BROKERS: 'k1:99999' }, "KAFKA_BROKERS: 'k1:99999' is not host:port"],
    [{ KAFKA_BROKERS: ',' }, "KAFKA_BROKERS is set but names no broker (','); unset it for the embedded broker"],
    [{ KAFKA_BROKERS: 'k1:9092', SCHEMA_REGISTRY_URL: 'r:8081' }, "SCHEMA_REGISTRY_URL: 'r:8081' is not an http(s) URL"],
  ])('refuses %j in one line', (env, message) => {
    expect(() => chooseTestKafka(env)).toThrow(new TestKafkaConfigError(message));
  });

  it('parses a broker list', () => {
    expect(parseTestBrokers('a:1,b:2,')).toEqual(['a:1', 'b:2']);
  });
});

describe('suiteKafka', () => {
  it("takes what the global setup handed over, not the mesh's variables", () => {
    expect(suiteKafka({ [HANDED.brokers]: 'k:1', [HANDED.registryUrl]: 'http://r:2', KAFKA_BROKERS: 'other:3' })).toEqual({ kind: 'external', brokers: ['k:1'], registryUrl: 'http://r:2' });
    expect(suiteKafka({ [HANDED.brokers]: '', [HANDED.registryUrl]: '', KAFKA_BROKERS: 'other:3' })).toEqual({ kind: 'embedded' });
  });

  it('chooses itself when no global setup ran, a container never started meaning the embedded broker', () => {
    expect(suiteKafka({ KAFKA_BROKERS: 'k:1' })).toEqual({ kind: 'external', brokers: ['k:1'], registryUrl: undefined });
    expect(suiteKafka({ MESH_TEST_KAFKA: 'container' })).toEqual({ kind: 'embedded' });
  });
});

describe('the line a run prints', () => {
  it('names the Kafka, and says when neither KAFKA_BROKERS nor a container was asked for', () => {
    expect(describeKafkaChoice({ kind: 'embedded', why: 'default' })).toBe('e2e suites on the embedded broker: no KAFKA_BROKERS, and MESH_TEST_KAFKA=container (Docker) not asked');
    expect(describeKafkaChoice({ kind: 'external', brokers: ['k:9092'], registryUrl: undefined })).toBe(
      'e2e suites on the Kafka at k:9092 (KAFKA_BROKERS), registry embedded, one for the run on that Kafka',
    );
  });
});

describe('the global setup', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ['MESH_TEST_KAFKA', 'KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', HANDED.brokers, HANDED.registryUrl]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  /** Runs the setup as jest does before the suites, returning what it wrote to stderr. */
  async function setupOutput(): Promise<string> {
    let written = '';
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written += String(chunk);
      return true;
    }) as typeof process.stderr.write;
    try {
      await kafkaGlobalSetup();
    } finally {
      process.stderr.write = write;
    }
    return written;
  }

  it('with MESH_TEST_KAFKA=container and no Docker engine, says so in one line and the suites get the embedded broker', async () => {
    if ((await dockerUnreachable()) === undefined) {
      process.stderr.write('kafka-choice.test: a Docker engine is reachable here, so the no-Docker fallback is not exercised\n');
      return;
    }
    process.env.MESH_TEST_KAFKA = 'container';
    delete process.env.KAFKA_BROKERS;
    try {
      const output = await setupOutput();
      expect(output).toMatch(/^MESH_TEST_KAFKA=container: no Docker engine reachable \(.+\); the e2e suites run on the embedded broker instead\n$/);
      expect(process.env[HANDED.brokers]).toBe('');
      const kafka = await testKafka();
      await kafka.stop();
      expect(kafka.kind).toBe('embedded');
    } finally {
      await kafkaGlobalTeardown();
    }
  });

  it('on an external Kafka without SCHEMA_REGISTRY_URL, starts one registry on it for the run and names both to the suites, not to their processes', async () => {
    const broker = await startTestBroker();
    try {
      process.env.KAFKA_BROKERS = broker.address;
      delete process.env.SCHEMA_REGISTRY_URL;
      delete process.env.MESH_TEST_KAFKA;
      const output = await setupOutput();
      try {
        expect(output).toBe(`e2e suites on the Kafka at ${broker.address} (KAFKA_BROKERS), registry embedded, one for the run on that Kafka\n`);
        const kafka = await testKafka();
        expect(kafka).toMatchObject({ kind: 'external', address: broker.address });
        const url = await kafka.registryUrl();
        expect(url).toBe(process.env[HANDED.registryUrl]);
        // A `mesh` process a suite starts reads only the flags it is given, as on the embedded broker.
        expect([process.env.KAFKA_BROKERS, process.env.SCHEMA_REGISTRY_URL]).toEqual([undefined, undefined]);
        const subjects = await fetch(`${url}/subjects`);
        expect(subjects.status).toBe(200);
        await kafka.stop();
      } finally {
        await kafkaGlobalTeardown();
      }
    } finally {
      await broker.stop();
    }
  });
});
