// Keeps the session's open sockets bounded whatever the number of hosts. undici keeps idle keep-alive
// connections per origin; over thousands of origins those pile up (each a descriptor) long after the
// crawl has moved on. Every socket the connector opens is tracked here; once more than `maxIdle` are
// idle over all origins, the one idle the longest is closed. A socket counts as idle from the end of
// its response until undici writes the next request on it. This runs twice per request, so it
// allocates nothing there: each socket carries its entry, and idle sockets form a linked list (a
// Map reordered per request made old-space garbage enough to cost ~15 MB of peak RSS).
import type { Socket } from 'node:net';

/** Who uses a socket now: the exchange whose request it carries, CONNECTING before the first one, or IDLE. */
const CONNECTING = {};
const IDLE = {};

interface Entry {
  readonly socket: Socket;
  readonly budget: SocketBudget;
  user: object;
  closed: boolean;
  /** Neighbours in the budget's idle list (idle sockets only). */
  prev: Entry | null;
  next: Entry | null;
}

const ENTRY = Symbol('crawl socket budget');
type Tracked = Socket & { [ENTRY]?: Entry };

export class SocketBudget {
  private open_ = 0;
  private idle = 0;
  /** Idle sockets, the one idle the longest first. */
  private head: Entry | null = null;
  private tail: Entry | null = null;

  /** `beforeClose` hears of each idle socket the budget is about to close. */
  constructor(
    private readonly maxIdle: number,
    private readonly beforeClose: (socket: Socket) => void = () => undefined,
  ) {}

  /** Sockets open now (busy and idle). */
  get open(): number {
    return this.open_;
  }

  /** Sockets idle now. */
  get idleCount(): number {
    return this.idle;
  }

  /** A socket the connector has just connected. */
  opened(socket: Socket): void {
    const entry: Entry = { socket, budget: this, user: CONNECTING, closed: false, prev: null, next: null };
    (socket as Tracked)[ENTRY] = entry;
    this.open_++;
    socket.once('close', () => this.forget(entry));
  }

  /** Closes the socket idle the longest; false if none is idle. */
  closeIdle(): boolean {
    const entry = this.head;
    if (entry === null) return false;
    this.forget(entry);
    this.beforeClose(entry.socket);
    entry.socket.destroy();
    return true;
  }

  private forget(entry: Entry): void {
    if (entry.closed) return;
    entry.closed = true;
    this.open_--;
    if (entry.user === IDLE) this.unlink(entry);
  }

  private unlink(entry: Entry): void {
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = entry.next = null;
    this.idle--;
  }

  use(entry: Entry, user: object): void {
    if (entry.closed) return;
    if (entry.user === IDLE) this.unlink(entry);
    entry.user = user;
  }

  release(entry: Entry, user: object): void {
    if (entry.closed || entry.user !== user) return; // closed, or already carrying another request
    entry.user = IDLE;
    entry.prev = this.tail;
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    this.idle++;
    while (this.idle > this.maxIdle && this.closeIdle());
  }
}

/** undici is writing `user`'s request on `socket`. */
export function socketUsed(socket: Socket, user: object): void {
  const entry = (socket as Tracked)[ENTRY];
  entry?.budget.use(entry, user);
}

/** `user`'s response has ended: unless another request already went out on it, `socket` is idle. */
export function socketReleased(socket: Socket, user: object): void {
  const entry = (socket as Tracked)[ENTRY];
  entry?.budget.release(entry, user);
}
