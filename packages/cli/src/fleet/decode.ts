import type { RegistryCodec } from '@agentmesh/runtime';
import { SchemaRegistryUnavailableError } from '@agentmesh/runtime/internal/fleet';
import { registryCredentials } from '../connection/settings';

/** What decodeNow says of an Avro value: only the registry can read it (decodeAvro). */
export const NEEDS_REGISTRY: unique symbol = Symbol('needs the registry');

/** A value that could not be decoded, with why. */
export interface Undecodable {
  undecodable: string;
}

/** Avro in the Confluent wire format (magic byte 0, a schema id), as processes with the registry codec write. */
function isAvroFrame(bytes: Buffer): boolean {
  return bytes.length >= 5 && bytes[0] === 0;
}

/**
 * Decodes the mesh's own records: JSON as processes with the JSON codec write them, Avro through the registry. A
 * registry that cannot be asked is asked once; later Avro values are undecodable, with that reason.
 */
export class MeshValueDecoder {
  private codec: RegistryCodec | undefined;
  private registryFailure: string | undefined;

  constructor(private readonly registryUrl: string) {}

  async decode(topic: string, bytes: Buffer | null): Promise<unknown> {
    const now = this.decodeNow(bytes);
    if (now !== NEEDS_REGISTRY) return now;
    return this.decodeAvro(topic, bytes!);
  }

  /** The value at once when it needs no registry (JSON, or nothing to decode); NEEDS_REGISTRY for Avro. */
  decodeNow(bytes: Buffer | null): unknown {
    if (bytes === null || bytes.length === 0) return { undecodable: 'an empty value' } satisfies Undecodable;
    if (isAvroFrame(bytes)) return NEEDS_REGISTRY;
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown;
    } catch {
      return { undecodable: 'neither Avro nor JSON' } satisfies Undecodable;
    }
  }

  async decodeAvro(topic: string, bytes: Buffer): Promise<unknown> {
    if (this.registryFailure !== undefined) return { undecodable: this.registryFailure } satisfies Undecodable;
    // Loaded at the first Avro value: a mesh on JSON never needs the registry client.
    this.codec ??= new (await import('@agentmesh/runtime')).RegistryCodec({ ...registryCredentials(), url: this.registryUrl, retries: 0, requestTimeoutMs: 3_000 });
    try {
      return await this.codec.decode(topic, bytes);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof SchemaRegistryUnavailableError) this.registryFailure = `Avro values need the schema registry (set --registry or SCHEMA_REGISTRY_URL): ${message}`;
      return { undecodable: this.registryFailure ?? message } satisfies Undecodable;
    }
  }
}

export function isUndecodable(v: unknown): v is Undecodable {
  return typeof v === 'object' && v !== null && typeof (v as Undecodable).undecodable === 'string' && Object.keys(v).length === 1;
}
