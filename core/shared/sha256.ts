/**
 * SHA-256 (and HMAC-SHA-256 when given a secret) in the shape `@smithy/signature-v4` asks for (`Checksum`), on
 * `node:crypto`. It stands in for `@smithy/hash-node`, which is the same few lines; keeping it here frees one of
 * the runtime dependency slots the Node-RED scorecard counts.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

import type { Checksum, SourceData } from '@smithy/types';

function bytes(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

export class Sha256 implements Checksum {
  private readonly secret: Buffer | undefined;
  private hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.fresh();
  }

  update(data: Uint8Array): void {
    this.hash.update(bytes(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
}
