import type * as Paths from './index';

/* eslint-disable @typescript-eslint/no-require-imports */

/**
 * This package, and whatever `load` requires with it, in a module registry of their own (a fresh
 * status); with `noCrc32cBinary`, as on a platform @node-rs/crc32 has no binary for.
 */
function isolated<T>(load: (paths: typeof Paths) => T, noCrc32cBinary = false): T {
  let result: T | undefined;
  jest.isolateModules(() => {
    if (noCrc32cBinary) {
      jest.doMock('@node-rs/crc32', () => {
        throw new Error('no binary for this platform');
      });
    }
    result = load(require('./index') as typeof Paths);
  });
  jest.dontMock('@node-rs/crc32');
  return result!;
}

const ALL = ['recordEncoder', 'recordDecoder', 'groupMessagesPerPartition', 'defaultPartitioner', 'produceRequestV3', 'requestFrame', 'requestQueue'] as const;

/** Each function called as the kafkajs patch calls it, on stand-ins for kafkajs's originals. */
function putAll(paths: typeof Paths): Record<(typeof ALL)[number], { original: unknown; result: unknown }> {
  class Encoder {
    buf = Buffer.alloc(0);
    offset = 0;
  }
  const originals = Object.fromEntries(ALL.map((name) => [name, () => name])) as Record<(typeof ALL)[number], never>;
  class RequestQueue {
    pending: unknown[] = [];
    throttledUntil = -1;
    scheduleCheckPendingRequests(): void {}
  }
  return {
    recordEncoder: { original: originals.recordEncoder, result: paths.recordEncoder(originals.recordEncoder, Encoder) },
    recordDecoder: { original: originals.recordDecoder, result: paths.recordDecoder(originals.recordDecoder) },
    groupMessagesPerPartition: { original: originals.groupMessagesPerPartition, result: paths.groupMessagesPerPartition(originals.groupMessagesPerPartition) },
    defaultPartitioner: { original: originals.defaultPartitioner, result: paths.defaultPartitioner(originals.defaultPartitioner) },
    produceRequestV3: { original: originals.produceRequestV3, result: paths.produceRequestV3(originals.produceRequestV3, Encoder) },
    requestFrame: { original: originals.requestFrame, result: paths.requestFrame(originals.requestFrame, Encoder) },
    requestQueue: { original: RequestQueue, result: paths.requestQueue(RequestQueue) },
  };
}

const savedEnv = process.env.MESH_KAFKAJS;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.MESH_KAFKAJS;
  else process.env.MESH_KAFKAJS = savedEnv;
});

describe('the kafkajs paths', () => {
  it('are each put in place of the original handed over, and say so', () => {
    delete process.env.MESH_KAFKAJS;
    const { put, status } = isolated((paths) => {
      const before = paths.kafkajsPathsStatus();
      expect(Object.values(before)).toEqual(ALL.map(() => 'not-loaded'));
      return { put: putAll(paths), status: paths.kafkajsPathsStatus() };
    });
    for (const name of ALL) {
      expect([name, typeof put[name].result]).toEqual([name, 'function']);
      expect([name, put[name].result]).not.toEqual([name, put[name].original]);
    }
    expect(status).toEqual(Object.fromEntries(ALL.map((name) => [name, 'in-place'])));
  });

  it.each(['stock', ' Stock\n', 'STOCK'])("are left kafkajs's own with MESH_KAFKAJS=%j", (value) => {
    process.env.MESH_KAFKAJS = value;
    const { put, status } = isolated((paths) => ({ put: putAll(paths), status: paths.kafkajsPathsStatus() }));
    for (const name of ALL) expect([name, put[name].result]).toEqual([name, put[name].original]);
    expect(status).toEqual(Object.fromEntries(ALL.map((name) => [name, 'stock'])));
  });

  it("leave the produce request kafkajs's where @node-rs/crc32 has no binary", () => {
    delete process.env.MESH_KAFKAJS;
    const { put, status } = isolated((paths) => ({ put: putAll(paths), status: paths.kafkajsPathsStatus() }), true);
    expect(put.produceRequestV3.result).toBe(put.produceRequestV3.original);
    expect(status.produceRequestV3).toBe('no-crc32c-binary');
    expect(status.recordEncoder).toBe('in-place');
  });
});

describe('kafkajs, as the patch leaves it', () => {
  it('takes every path in as its own files load, under jest too', () => {
    delete process.env.MESH_KAFKAJS;
    const { status, loaded, ours } = isolated((paths) => {
      require('kafkajs');
      const eager = paths.kafkajsPathsStatus();
      // The record codecs and the produce request load with the first produce and the first fetch.
      require('kafkajs/src/protocol/requests/produce/v3/request.js');
      require('kafkajs/src/protocol/recordBatch/v0/decoder.js');
      return {
        status: { eager, all: paths.kafkajsPathsStatus() },
        loaded: require('kafkajs/src/producer/groupMessagesPerPartition.js') as unknown,
        ours: (require('./partition-grouping') as { groupMessagesPerPartition: unknown }).groupMessagesPerPartition,
      };
    });
    expect(status.eager).toEqual({
      recordEncoder: 'not-loaded',
      recordDecoder: 'not-loaded',
      groupMessagesPerPartition: 'in-place',
      defaultPartitioner: 'in-place',
      produceRequestV3: 'not-loaded',
      requestFrame: 'in-place',
      requestQueue: 'in-place',
    });
    expect(status.all).toEqual(Object.fromEntries(ALL.map((name) => [name, 'in-place'])));
    expect(loaded).toBe(ours);
  });

  it('keeps its own with MESH_KAFKAJS=stock', () => {
    process.env.MESH_KAFKAJS = 'stock';
    const status = isolated((paths) => {
      require('kafkajs');
      require('kafkajs/src/protocol/requests/produce/v3/request.js');
      require('kafkajs/src/protocol/recordBatch/v0/decoder.js');
      return paths.kafkajsPathsStatus();
    });
    expect(status).toEqual(Object.fromEntries(ALL.map((name) => [name, 'stock'])));
  });
});
