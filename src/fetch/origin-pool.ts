// The per-origin dispatcher the Agent makes for each new origin: up to --per-host undici Clients (one
// connection each), made only as requests need them. undici's own Pool costs more to set up than a
// one-page origin is worth (a 2048-slot queue, a deep copy of the options, stats), and on a list with
// a new host on every line that set-up was a third of the CPU. The scheduler already keeps at most
// --per-host requests of an origin in flight, so a request almost always finds a free Client; the
// queue here only covers the moment a Client has not yet said it is free again.
import { createRequire } from 'node:module';
import type { Dispatcher } from 'undici';

const require = createRequire(import.meta.url);

/** The legacy handler shape undici's DispatcherBase hands to `[kDispatch]` (after unwrapping). */
interface Handler {
  onError(err: Error): void;
}

type Targets = Dispatcher[];

interface ClientLike {
  dispatch(opts: Dispatcher.DispatchOptions, handler: Handler): boolean;
  on(event: 'drain' | 'connect' | 'disconnect' | 'connectionError', listener: (origin: URL, targets: Targets, err: Error) => void): this;
  close(): Promise<void>;
  destroy(err: Error): Promise<void>;
}

type ClientClass = new (origin: string | URL, opts: object) => ClientLike;

interface Symbols {
  kDispatch: symbol;
  kClose: symbol;
  kDestroy: symbol;
  kClosed: symbol;
  kSize: symbol;
  kHTTPContext: symbol;
}

const Client = require('undici/lib/dispatcher/client.js') as ClientClass;
const DispatcherBase = require('undici/lib/dispatcher/dispatcher-base.js') as new () => Dispatcher;
const { kDispatch, kClose, kDestroy, kClosed, kSize, kHTTPContext } = require('undici/lib/core/symbols.js') as Symbols;

/** The pool a Client belongs to, so one listener function serves every Client (no closures per connection). */
const POOL = Symbol('crawl origin pool');
type PooledClient = ClientLike & { [POOL]: OriginPool } & Record<symbol, unknown>;

function onDrain(this: PooledClient): void {
  const pool = this[POOL];
  pool.drained(this);
}

// The Agent counts connections by these events, and forgets the origin once none is left.
function onConnect(this: PooledClient, origin: URL, targets: Targets): void {
  (this[POOL] as unknown as NodeJS.EventEmitter).emit('connect', origin, targets);
}
function onDisconnect(this: PooledClient, origin: URL, targets: Targets, err: Error): void {
  (this[POOL] as unknown as NodeJS.EventEmitter).emit('disconnect', origin, targets, err);
}
function onConnectionError(this: PooledClient, origin: URL, targets: Targets, err: Error): void {
  (this[POOL] as unknown as NodeJS.EventEmitter).emit('connectionError', origin, targets, err);
}

/** A Client with no request queued or running and no connection: closing it would release nothing. */
function spent(c: ClientLike): boolean {
  const client = c as PooledClient;
  return client[kSize] === 0 && client[kHTTPContext] == null;
}

const CLOSED: Promise<void> = Promise.resolve();

export interface OriginPoolOptions {
  /** Most connections (Clients) to the origin. */
  connections: number;
}

export class OriginPool extends DispatcherBase {
  private readonly clients: ClientLike[] = [];
  /** Clients that said they cannot take another request until they emit 'drain'. */
  private readonly busy = new Set<ClientLike>();
  private readonly queue: [Dispatcher.DispatchOptions, Handler][] = [];
  private readonly max: number;
  private onQueueEmpty: (() => void) | undefined;

  constructor(
    private readonly origin: string | URL,
    private readonly options: OriginPoolOptions & object,
  ) {
    super();
    this.max = Math.max(1, options.connections);
  }

  private freeClient(): ClientLike | undefined {
    for (const c of this.clients) if (!this.busy.has(c)) return c;
    if (this.clients.length >= this.max) return undefined;
    const c = new Client(this.origin, this.options) as PooledClient;
    c[POOL] = this;
    c.on('drain', onDrain).on('connect', onConnect).on('disconnect', onDisconnect).on('connectionError', onConnectionError);
    this.clients.push(c);
    return c;
  }

  /** `c` can take requests again. */
  drained(c: ClientLike): void {
    this.busy.delete(c);
    this.pump(c);
  }

  /**
   * The Agent closes an origin's pool once its last connection has gone. Nearly always nothing is
   * left to wait for or release then, and undici's close would still build two promise chains and
   * an error with a stack trace per Client: over a list of a new host per line, a tenth of what a
   * URL allocates. Such a pool is only marked closed; its Clients, holding nothing, are left to the
   * collector.
   */
  override close(): Promise<void>;
  override close(callback: (err: Error | null, data: null) => void): void;
  override close(callback?: (err: Error | null, data: null) => void): Promise<void> | void {
    const self = this as unknown as Record<symbol, unknown>;
    if (self[kClosed] !== true && this.queue.length === 0 && this.clients.every(spent)) {
      self[kClosed] = true;
      if (callback === undefined) return CLOSED;
      queueMicrotask(() => callback(null, null));
      return;
    }
    return callback === undefined ? super.close() : super.close(callback as () => void);
  }

  /** Hands queued requests to `c` while it takes them. */
  private pump(c: ClientLike): void {
    while (this.queue.length > 0 && !this.busy.has(c)) {
      const [opts, handler] = this.queue.shift()!;
      if (!c.dispatch(opts, handler)) this.busy.add(c);
    }
    if (this.queue.length === 0) {
      this.onQueueEmpty?.();
      (this as unknown as NodeJS.EventEmitter).emit('drain', this.origin, [this]);
    }
  }

  [kDispatch](opts: Dispatcher.DispatchOptions, handler: Handler): boolean {
    const c = this.freeClient();
    if (c === undefined) {
      this.queue.push([opts, handler]);
      return false;
    }
    if (!c.dispatch(opts, handler)) this.busy.add(c);
    return true;
  }

  async [kClose](): Promise<void> {
    if (this.queue.length > 0) await new Promise<void>((resolve) => (this.onQueueEmpty = resolve));
    await Promise.all(this.clients.map((c) => c.close()));
  }

  async [kDestroy](err: Error): Promise<void> {
    for (const [, handler] of this.queue.splice(0)) handler.onError(err);
    await Promise.all(this.clients.map((c) => c.destroy(err)));
  }
}
