// Reads a response body: decompresses gzip/deflate/br, stops at --max-bytes of decoded bytes (a
// compression bomb is cut there too), and keeps only as many bytes as extraction needs.
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw, type Inflate, type InflateRaw } from 'node:zlib';

/** A body that failed part-way; `bytes` were decoded before it did. The original error is `cause`. */
export class BodyReadError extends Error {
  constructor(readonly bytes: number, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

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

function decoder(encoding: string): Transform | null {
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

/**
 * Reads `body` to its end or to `maxBytes` decoded bytes, whichever comes first. Cutting destroys
 * the stream, which makes undici drop (not reuse) the connection. Plain 'data'/'end' listeners,
 * not an async iterator: this runs once per page and the iterator machinery costs more than the read.
 */
export function readBody(body: Readable, contentEncoding: string | undefined, maxBytes: number, keep: number): Promise<BodyResult> {
  const enc = contentEncoding ? contentEncoding.trim().toLowerCase() : '';
  const dec = enc && enc !== 'identity' ? decoder(enc) : null;
  const source: Readable = dec ? pipeline(body, dec, () => undefined) : body;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let keptBytes = 0;
    let bytes = 0;
    let settled = false;
    const finish = (truncated: boolean): void => {
      if (settled) return;
      settled = true;
      source.off('data', onData);
      const kept = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, keptBytes);
      resolve({ kept, bytes, truncated });
    };
    const onData = (chunk: Buffer): void => {
      let c = chunk;
      const truncated = bytes + c.length > maxBytes;
      if (truncated) c = c.subarray(0, maxBytes - bytes);
      bytes += c.length;
      if (keptBytes < keep) {
        const part = keptBytes + c.length > keep ? c.subarray(0, keep - keptBytes) : c;
        chunks.push(part);
        keptBytes += part.length;
      }
      if (truncated) {
        finish(true);
        source.destroy();
        body.destroy();
      }
    };
    source.on('data', onData);
    source.once('end', () => finish(false));
    source.once('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new BodyReadError(bytes, err));
    });
    // A stream destroyed without an error (aborted) ends neither way; 'close' settles it.
    source.once('close', () => {
      if (!settled) {
        settled = true;
        reject(new BodyReadError(bytes, Object.assign(new Error('body stream closed early'), { code: 'ECONNRESET' })));
      }
    });
  });
}
