// The host-fair scheduler: one p-queue per origin (its --per-host slots, its --rate) in front of one
// global p-queue (--limit). A URL asks for a global slot only once its origin has a free slot, so a
// slow host's backlog waits in its own queue and never holds global slots that other hosts could use.
import PQueue from 'p-queue';

export interface SchedulerOptions {
  /** Most tasks running at once over all origins. */
  limit: number;
  /** Most tasks running at once per origin. */
  perHost: number;
  /** Most task starts per second per origin; 0 is unlimited. */
  rate: number;
  /** Most tasks accepted and not yet finished; `add` waits beyond this (bounded input buffer). */
  maxPending: number;
}

export type Task = () => Promise<void>;

export class Scheduler {
  private readonly global: PQueue;
  private readonly hosts = new Map<string, PQueue>();
  private pending = 0;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  /** Retries waiting out their backoff; they count as pending but hold no slot. */
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: SchedulerOptions) {
    this.global = new PQueue({ concurrency: opts.limit });
  }

  /** Tasks accepted and not finished. */
  get size(): number {
    return this.pending;
  }

  /** undefined when one more task may be accepted now, else a promise of when it may (`maxPending`). */
  room(): Promise<void> | undefined {
    if (this.pending < this.opts.maxPending || this.stopped) return undefined;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Queues `task` behind its origin's slots. Never throws; the task must handle its own errors. */
  add(origin: string, task: Task): void {
    if (this.stopped) return;
    this.pending++;
    const host = this.hostQueue(origin);
    const settle = (): void => this.settle(origin, host);
    void host.add(() => this.global.add(task)).then(settle, settle);
  }

  /**
   * Queues `task` behind its origin's slots again after `ms`: a retry waits out its backoff without
   * holding a slot, and its next attempt goes through the origin's --per-host and --rate limits.
   */
  later(origin: string, ms: number, task: Task): void {
    if (this.stopped) return;
    this.pending++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.pending--;
      this.add(origin, task);
      this.wake();
    }, ms);
    this.timers.add(timer);
  }

  /** Resolves when every accepted task has finished (or was dropped by `stop`). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops every task that has not started, retries waiting included; running ones finish. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.pending -= this.timers.size;
    this.timers.clear();
    for (const [, q] of this.hosts) {
      this.pending -= q.size;
      q.clear();
    }
    // Tasks waiting for a global slot hold their origin's slot; cleared, they never settle.
    this.pending -= this.global.size;
    this.global.clear();
    this.wake();
  }

  private hostQueue(origin: string): PQueue {
    let q = this.hosts.get(origin);
    if (!q) {
      const rate = this.opts.rate;
      q = rate > 0
        ? new PQueue({ concurrency: this.opts.perHost, intervalCap: 1, interval: 1000 / rate, strict: true })
        : new PQueue({ concurrency: this.opts.perHost });
      this.hosts.set(origin, q);
    }
    return q;
  }

  private settle(origin: string, host: PQueue): void {
    this.pending--;
    // Forget idle origins so a list of a million hosts does not keep a million queues; with --rate
    // the queue remembers when it last started, so it stays.
    if (this.opts.rate === 0 && host.size === 0 && host.pending === 0 && this.hosts.get(origin) === host) {
      this.hosts.delete(origin);
    }
    this.wake();
  }

  private wake(): void {
    if (this.roomWaiters.length > 0 && (this.pending < this.opts.maxPending || this.stopped)) {
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const w of waiters) w();
    }
    if (this.pending <= 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
