import { dirname, join } from 'node:path';
import { fastRecordDecoder, fastRecordEncoder, type EncoderClass, type RecordDecoder, type RecordEncoder } from './record-codec';

/**
 * Puts our record encoder and decoder (record-codec.ts) in place of kafkajs's own.
 *
 * Why: kafkajs 2.2.4 (its last release) encodes every header of every record with a fresh zeroed
 * 512-byte encoder and a Buffer per varint, and decodes headers by copying the headers object once
 * per header. The mesh puts four headers on every record (DESIGN.md), and in the pipeline benchmark
 * kafkajs's record encoding and decoding took a quarter of a worker's CPU, more than three times
 * what the same records cost without headers.
 *
 * How: kafkajs loads its record codecs lazily, on the first produce and the first fetch, through
 * Node's module cache; replacing the cached modules' exports before then is enough. It is done only
 * for the kafkajs version the codecs were checked against (byte for byte, see record-codec.test.ts),
 * and only while the modules that bind them are not loaded yet; otherwise kafkajs keeps its own and
 * nothing changes but speed. MESH_KAFKAJS_RECORDS=kafkajs turns it off.
 */
export type FastRecordsStatus = 'installed' | 'already-installed' | 'disabled' | 'unsupported-kafkajs' | 'too-late' | 'no-module-cache';

const SUPPORTED_KAFKAJS = '2.2.4';
const ENCODER = 'src/protocol/recordBatch/record/v0/index.js';
const DECODER = 'src/protocol/recordBatch/record/v0/decoder.js';
const ENCODER_CLASS = 'src/protocol/encoder.js';
/** The modules that bind the codecs when they load: once one is loaded, replacing the codec changes nothing. */
const ENCODER_USERS = ['src/protocol/requests/produce/v3/request.js'];
const DECODER_USERS = ['src/protocol/recordBatch/v0/decoder.js'];

let status: FastRecordsStatus | undefined;

export function installFastRecords(env: Readonly<Record<string, string | undefined>> = process.env): FastRecordsStatus {
  if (status === 'installed') return 'already-installed';
  status = install(env);
  return status;
}

function install(env: Readonly<Record<string, string | undefined>>): FastRecordsStatus {
  if (env.MESH_KAFKAJS_RECORDS?.trim().toLowerCase() === 'kafkajs') return 'disabled';
  // Under test runners with their own module registry (jest) there is no Node module cache to use.
  if (typeof require === 'undefined' || !require.cache || typeof require.resolve !== 'function') return 'no-module-cache';
  let root: string;
  try {
    const manifest = require.resolve('kafkajs/package.json');
    if ((require(manifest) as { version?: string }).version !== SUPPORTED_KAFKAJS) return 'unsupported-kafkajs';
    root = dirname(manifest);
  } catch {
    return 'unsupported-kafkajs';
  }
  const at = (file: string) => join(root, file);
  if ([...ENCODER_USERS, ...DECODER_USERS].some((file) => require.cache[at(file)] !== undefined)) return 'too-late';

  const encoderModule = load(at(ENCODER));
  const decoderModule = load(at(DECODER));
  const Encoder = load(at(ENCODER_CLASS))?.exports as EncoderClass | undefined;
  if (!encoderModule || !decoderModule || typeof Encoder !== 'function') return 'no-module-cache';
  encoderModule.exports = fastRecordEncoder(encoderModule.exports as RecordEncoder, Encoder);
  decoderModule.exports = fastRecordDecoder(decoderModule.exports as RecordDecoder);
  return 'installed';
}

function load(path: string): NodeJS.Module | undefined {
  require(path);
  return require.cache[path];
}
