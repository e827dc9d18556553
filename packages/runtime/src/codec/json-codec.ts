import { InvalidInputError } from '../failure/errors';
import type { ImmediateCodec } from './codec';
import { EncodeError } from './errors';
import { describeValue } from './field-problems';
import { CONFLUENT_MAGIC_BYTE } from './wire-format';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Plain UTF-8 JSON, no registry: for topics without a contract (a newcomer's
 * first agent, a quick experiment). Nothing checks the shape of the value.
 */
export class JsonCodec implements ImmediateCodec {
  async encode(topic: string, value: unknown): Promise<Buffer> {
    return this.encodeNow(topic, value);
  }

  async decode(topic: string, bytes: Buffer | null): Promise<unknown> {
    return this.decodeNow(topic, bytes);
  }

  encodeNow(topic: string, value: unknown): Buffer {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      // Cycles and BigInts cannot be written as JSON.
      throw new EncodeError(topic, [
        { field: '', expected: 'a JSON value', got: describeValue(value), message: `the value cannot be written as JSON: ${error instanceof Error ? error.message : String(error)}` },
      ]);
    }
    if (text === undefined) {
      throw new EncodeError(topic, [{ field: '', expected: 'a JSON value', got: describeValue(value), message: `the value cannot be written as JSON (got ${describeValue(value)})` }]);
    }
    return Buffer.from(text, 'utf8');
  }

  decodeNow(_topic: string, bytes: Buffer | null): unknown {
    if (bytes === null) throw new InvalidInputError('the record has no value (null or tombstone), so there is nothing to decode');
    if (bytes.length === 0) throw new InvalidInputError('the record value is empty (0 bytes)');
    let text: string;
    try {
      text = strictUtf8.decode(bytes);
    } catch (error) {
      throw new InvalidInputError('the record value is not valid UTF-8 text', { cause: error });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      const hint = bytes[0] === CONFLUENT_MAGIC_BYTE ? ' (it starts with byte 0x00, like Avro in the Confluent wire format: decode it with the registry codec)' : '';
      throw new InvalidInputError(`the record value is not valid JSON: ${error instanceof Error ? error.message : String(error)}${hint}`, { cause: error });
    }
  }
}
