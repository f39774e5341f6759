// Response bodies: what a read produces, and the decompressors for gzip, deflate (zlib or raw) and br.
import { Transform, type TransformCallback } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw, type Inflate, type InflateRaw } from 'node:zlib';

export interface BodyResult {
  /** The first `keep` decoded bytes. */
  kept: Buffer;
  /** Decoded bytes read. */
  bytes: number;
  /** The body was cut at the byte limit. */
  truncated: boolean;
}

/** Inflate that accepts both zlib-wrapped (RFC 1950) and raw (RFC 1951) deflate, as browsers do. */
class InflateAuto extends Transform {
  private inner: Inflate | InflateRaw | null = null;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (!this.inner) {
      const zlibWrapped = chunk.length >= 2 && (chunk[0]! & 0x0f) === 8 && ((chunk[0]! << 8) | chunk[1]!) % 31 === 0;
      this.inner = zlibWrapped ? createInflate() : createInflateRaw();
      this.inner.on('data', (d: Buffer) => this.push(d));
      this.inner.on('error', (err) => this.destroy(err));
    }
    this.inner.write(chunk, () => done());
  }

  override _flush(done: TransformCallback): void {
    if (!this.inner) return done();
    this.inner.once('end', () => done());
    this.inner.end();
  }
}

/** A decompressor for a Content-Encoding, or null for one that needs none (or that we do not know). */
export function decoder(encoding: string): Transform | null {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return new InflateAuto();
    case 'br':
      return createBrotliDecompress();
    default:
      return null;
  }
}
