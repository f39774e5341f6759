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
}

const Client = require('undici/lib/dispatcher/client.js') as ClientClass;
const DispatcherBase = require('undici/lib/dispatcher/dispatcher-base.js') as new () => Dispatcher;
const { kDispatch, kClose, kDestroy } = require('undici/lib/core/symbols.js') as Symbols;

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
    const c = new Client(this.origin, this.options);
    c.on('drain', () => {
      this.busy.delete(c);
      this.pump(c);
    });
    // The Agent counts connections by these events, and forgets the origin once none is left.
    const events = this as unknown as NodeJS.EventEmitter;
    for (const name of ['connect', 'disconnect', 'connectionError'] as const) {
      c.on(name, (origin, targets, err) => events.emit(name, origin, [this, ...targets], err));
    }
    this.clients.push(c);
    return c;
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
