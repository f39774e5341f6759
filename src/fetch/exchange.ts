// One HTTP request/response through the dispatcher with undici's handler API: no Readable stream per
// response, the body arrives as chunks straight into a collector. It decompresses gzip/deflate/br,
// stops at --max-bytes of decoded bytes (a compression bomb is cut there too, and the connection is
// dropped), keeps only as many bytes as extraction needs, and drains a redirect's body for reuse.
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { decoder, type BodyResult } from './body.js';
import { FetchError } from './errors.js';
import { emptyStatusMismatch, protocolError } from './protocol.js';
import { socketReleased, socketUsed } from './sockets.js';
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
  /** Gets the remote address of the connection the request went out on, once it is written. */
  trace?: HopTrace;
}

/** What is known of the connection a request went out on. */
export interface HopTrace {
  /** The peer's address; unset until the request was written on a connected socket. */
  ip?: string | undefined;
}

/**
 * Each request's socket (for its remote address and the socket budget). undici gives a handler no socket; it does publish
 * `undici:client:sendHeaders` (request and socket) right after calling the handler's
 * onRequestStart, in the same synchronous step of writing that request. So the handler whose
 * onRequestStart ran last is the one whose request that message is about.
 */
let writing: ExchangeHandler | undefined;
subscribe('undici:client:sendHeaders', (message) => {
  const handler = writing;
  writing = undefined;
  if (handler === undefined) return;
  const { request, socket } = message as { request?: { origin?: unknown }; socket?: Socket };
  if (socket !== undefined) handler.wroteOn(request?.origin, socket);
});

/** A redirect body larger than this is not worth draining: the connection is dropped instead. */
const DRAIN_LIMIT = 64 * 1024;
const EMPTY: BodyResult = { kept: Buffer.alloc(0), bytes: 0, truncated: false };

class AbortedError extends Error {
  readonly code = 'UND_ERR_ABORTED';
}

/**
 * The dispatch handler for one exchange. A class, not closures: one object per request, its methods
 * shared on the prototype; this runs for every page.
 */
class ExchangeHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private started = false; // response headers came
  private drain = false;
  private settled = false;
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private bytes = 0;
  private dec: ReturnType<typeof decoder> = null;
  private socket: Socket | undefined;
  /** Bound once, so the signal can take and drop it. */
  readonly abort = (): void => {
    const err = new AbortedError('request aborted');
    this.controller?.abort(err);
    this.dec?.destroy();
    this.fail(err);
  };

  constructor(
    private readonly o: ExchangeOptions,
    private readonly signal: AttemptSignal,
    private readonly resolve: (e: Exchange) => void,
    private readonly reject: (err: unknown) => void,
  ) {}

  onRequestStart(c: Dispatcher.DispatchController): void {
    this.controller = c;
    if (this.settled) c.abort(new AbortedError('request aborted'));
    else writing = this;
  }

  /** undici wrote this request on `socket` (see `writing`). */
  wroteOn(origin: unknown, socket: Socket): void {
    if (origin !== undefined && String(origin) !== this.o.origin) return;
    this.socket = socket;
    socketUsed(socket, this);
    const ip = socket.remoteAddress;
    if (this.o.trace && ip) this.o.trace.ip = ip;
  }

  onResponseStart(c: Dispatcher.DispatchController, statusCode: number, h: IncomingHttpHeaders): void {
    if (this.settled) return c.abort(new AbortedError('request aborted'));
    this.status = statusCode;
    this.headers = h;
    this.started = true;
    this.drain = this.o.isRedirect(statusCode, h);
    if (this.drain) return;
    const raw = h['content-encoding'];
    const enc = (Array.isArray(raw) ? raw[0] : raw)?.trim().toLowerCase();
    if (!enc || enc === 'identity') return;
    const dec = decoder(enc);
    if (!dec) {
      // We asked for gzip, deflate or br; anything else cannot be decoded.
      const err = new FetchError('EBODY', `unsupported content-encoding "${enc.slice(0, 40)}"`);
      this.fail(err);
      c.abort(err);
      return;
    }
    this.dec = dec;
    dec.on('data', (chunk: Buffer) => this.take(chunk));
    dec.on('error', (err: Error) => {
      this.fail(err);
      this.controller?.abort(err);
    });
    dec.on('end', () => this.done(false)); // after the decoder has flushed
  }

  onResponseData(c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    if (this.drain) {
      this.bytes += chunk.length;
      if (this.bytes > DRAIN_LIMIT) {
        this.done(false);
        c.abort(new AbortedError('redirect body too large to drain'));
      }
    } else if (this.dec) this.dec.write(chunk);
    else this.take(chunk);
  }

  onResponseEnd(): void {
    // undici is done with the socket: it is idle until the next request goes out on it.
    if (this.socket !== undefined) socketReleased(this.socket, this);
    if (this.settled) return;
    if (this.dec) this.dec.end();
    else this.done(false);
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (this.started && !this.settled && emptyStatusMismatch(this.status, err, this.bytes)) {
      this.done(false); // a 204/304 with a Content-Length: its body is empty whatever that says
      return;
    }
    this.dec?.destroy();
    this.fail(err);
  }

  /** Decoded bytes: count, keep the head, cut at the limit. */
  private take(chunk: Buffer): void {
    if (this.settled) return;
    const { maxBytes, keep } = this.o;
    let c = chunk;
    const over = this.bytes + c.length > maxBytes;
    if (over) c = c.subarray(0, maxBytes - this.bytes);
    this.bytes += c.length;
    if (this.kept < keep) {
      const part = this.kept + c.length > keep ? c.subarray(0, keep - this.kept) : c;
      this.chunks.push(part);
      this.kept += part.length;
    }
    if (over) {
      this.done(true);
      this.dec?.destroy();
      this.controller?.abort(new AbortedError('body cut at --max-bytes'));
    }
  }

  private done(truncated: boolean): void {
    if (this.settled) return;
    const { chunks } = this;
    const body = this.drain ? EMPTY : { kept: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.kept), bytes: this.bytes, truncated };
    this.finish();
    this.resolve({ status: this.status, headers: this.headers, body });
  }

  fail(err: unknown): void {
    if (this.settled) return;
    this.finish();
    const e = protocolError(err, this.started) ?? err;
    this.reject(this.started && !this.drain ? new BodyReadError(this.status, this.headers, this.bytes, e) : e);
  }

  private finish(): void {
    this.settled = true;
    this.signal.removeListener('abort', this.abort);
  }
}

export function exchange(dispatcher: Dispatcher, o: ExchangeOptions, signal: AttemptSignal): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AbortedError('request aborted'));
    const handler = new ExchangeHandler(o, signal, resolve, reject);
    signal.once('abort', handler.abort);
    try {
      dispatcher.dispatch({ origin: o.origin, path: o.path, method: 'GET', headers: o.headers }, handler);
    } catch (err) {
      handler.fail(err);
    }
  });
}
