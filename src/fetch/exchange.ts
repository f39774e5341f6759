// One HTTP request/response through the dispatcher with undici's handler API: no Readable stream per
// response, the body arrives as chunks straight into a collector. It decompresses gzip/deflate/br,
// stops at --max-bytes of decoded bytes (a compression bomb is cut there too, and the connection is
// dropped), keeps only as many bytes as extraction needs, and drains a redirect's body for reuse.
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { decoder, type BodyResult } from './body.js';
import { FetchError } from './errors.js';
import type { AttemptSignal } from './stopper.js';

export interface Exchange {
  status: number;
  headers: IncomingHttpHeaders;
  /** Empty for a redirect (its body is drained, not kept). */
  body: BodyResult;
}

/** A response that failed part-way: its status and headers came, `bytes` of its body were decoded. */
export class BodyReadError extends Error {
  constructor(readonly status: number, readonly headers: IncomingHttpHeaders, readonly bytes: number, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export interface ExchangeOptions {
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** Statuses whose body is only drained (redirects); their headers are what matters. */
  isRedirect: (status: number, headers: IncomingHttpHeaders) => boolean;
  maxBytes: number;
  keep: number;
}

/** A redirect body larger than this is not worth draining: the connection is dropped instead. */
const DRAIN_LIMIT = 64 * 1024;
const EMPTY: BodyResult = { kept: Buffer.alloc(0), bytes: 0, truncated: false };

class AbortedError extends Error {
  readonly code = 'UND_ERR_ABORTED';
}

export function exchange(dispatcher: Dispatcher, o: ExchangeOptions, signal: AttemptSignal): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    let started = false; // response headers came
    let drain = false;
    let settled = false;
    const chunks: Buffer[] = [];
    let kept = 0;
    let bytes = 0;
    let dec: ReturnType<typeof decoder> = null;

    const settle = (ok: boolean, value: Exchange | unknown): void => {
      if (settled) return;
      settled = true;
      signal.removeListener('abort', onAbort);
      if (ok) resolve(value as Exchange);
      else reject(value);
    };
    const done = (truncated: boolean): void => {
      const body = drain ? EMPTY : { kept: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, kept), bytes, truncated };
      settle(true, { status, headers, body });
    };
    const fail = (err: unknown): void => settle(false, started && !drain ? new BodyReadError(status, headers, bytes, err) : err);
    /** Decoded bytes: count, keep the head, cut at the limit. */
    const take = (chunk: Buffer): void => {
      if (settled) return;
      let c = chunk;
      const over = bytes + c.length > o.maxBytes;
      if (over) c = c.subarray(0, o.maxBytes - bytes);
      bytes += c.length;
      if (kept < o.keep) {
        const part = kept + c.length > o.keep ? c.subarray(0, o.keep - kept) : c;
        chunks.push(part);
        kept += part.length;
      }
      if (over) {
        done(true);
        dec?.destroy();
        controller?.abort(new AbortedError('body cut at --max-bytes'));
      }
    };
    const onAbort = (): void => {
      const err = new AbortedError('request aborted');
      controller?.abort(err);
      dec?.destroy();
      fail(err);
    };
    if (signal.aborted) return reject(new AbortedError('request aborted'));
    signal.once('abort', onAbort);

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (settled) c.abort(new AbortedError('request aborted'));
      },
      onResponseStart(c, statusCode, h) {
        if (settled) return c.abort(new AbortedError('request aborted'));
        status = statusCode;
        headers = h;
        started = true;
        drain = o.isRedirect(statusCode, h);
        if (drain) return;
        const raw = h['content-encoding'];
        const enc = (Array.isArray(raw) ? raw[0] : raw)?.trim().toLowerCase();
        dec = enc && enc !== 'identity' ? decoder(enc) : null;
        if (enc && enc !== 'identity' && !dec) {
          // We asked for gzip, deflate or br; anything else cannot be decoded.
          const err = new FetchError('EBODY', `unsupported content-encoding "${enc.slice(0, 40)}"`);
          fail(err);
          c.abort(err);
          return;
        }
        if (dec) {
          dec.on('data', take);
          dec.on('error', (err: Error) => {
            fail(err);
            controller?.abort(err);
          });
          dec.on('end', () => done(false));
        }
      },
      onResponseData(c, chunk) {
        if (settled) return;
        if (drain) {
          bytes += chunk.length;
          if (bytes > DRAIN_LIMIT) {
            done(false);
            c.abort(new AbortedError('redirect body too large to drain'));
          }
        } else if (dec) dec.write(chunk);
        else take(chunk);
      },
      onResponseEnd() {
        if (settled) return;
        if (dec) dec.end(); // 'end' settles once the decoder has flushed
        else done(false);
      },
      onResponseError(_c, err) {
        dec?.destroy();
        fail(err);
      },
    };
    try {
      dispatcher.dispatch({ origin: o.origin, path: o.path, method: 'GET', headers: o.headers }, handler);
    } catch (err) {
      settle(false, err);
    }
  });
}
