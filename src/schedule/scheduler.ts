// The host-fair scheduler. Each origin has a backlog (a plain FIFO of small job objects) and at most
// --per-host admitted jobs; one global p-queue holds the --limit slots. A job is admitted only while
// its origin has a free slot, and asks for a global slot only then: a slow host's backlog waits in
// its own FIFO and never holds a global slot another host could use. With --rate, admitted jobs pass
// through the origin's own p-queue, whose interval spaces their starts. Backlog entries are a few
// dozen bytes (no promise, no closure), so the scheduler can look far ahead for hosts that are ready.
// A global slot passes straight to the next job of the same origin while no other origin waits for
// one, so p-queue's per-task work is paid per hand-over, not per URL.
import PQueue from 'p-queue';

export interface SchedulerOptions<J> {
  /** Most jobs running at once over all origins. */
  limit: number;
  /** Most jobs running at once per origin. */
  perHost: number;
  /** Most job starts per second per origin; 0 is unlimited. */
  rate: number;
  /** Most jobs accepted and not yet finished; `room()` waits beyond this (bounded input buffer). */
  maxPending: number;
  /** Runs one job; must not throw (failures are records). */
  run: (job: J) => Promise<void>;
}

class Origin<J> {
  readonly backlog: J[] = [];
  head = 0;
  /** Jobs admitted and not settled: at most --per-host. */
  admitted = 0;
  /** With --rate: counts the times the origin fell idle, so only the latest forget timer acts. */
  idleTimes = 0;
  /** With --rate only: spaces the starts of admitted jobs (p-queue's interval limit). */
  constructor(readonly rateQueue: PQueue | null) {}

  get waiting(): number {
    return this.backlog.length - this.head;
  }

  take(): J {
    const job = this.backlog[this.head]!;
    this.backlog[this.head++] = undefined as J; // let it be collected
    if (this.head > 1024 && this.head * 2 > this.backlog.length) {
      this.backlog.splice(0, this.head);
      this.head = 0;
    }
    return job;
  }
}

export class Scheduler<J> {
  private readonly global: PQueue;
  private readonly origins = new Map<string, Origin<J>>();
  private pending = 0;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  /** Retries waiting out their backoff; they count as pending but hold no slot. */
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: SchedulerOptions<J>) {
    this.global = new PQueue({ concurrency: opts.limit });
  }

  /** Jobs accepted and not finished. */
  get size(): number {
    return this.pending;
  }

  /** undefined when one more job may be accepted now, else a promise of when it may (`maxPending`). */
  room(): Promise<void> | undefined {
    if (this.pending < this.opts.maxPending || this.stopped) return undefined;
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Queues `job` behind its origin's slots. */
  add(origin: string, job: J): void {
    if (this.stopped) return;
    this.pending++;
    const o = this.origin(origin);
    o.backlog.push(job);
    this.feed(origin, o);
  }

  /**
   * Queues `job` again after `ms`: a retry waits out its backoff without holding a slot, and its next
   * attempt goes through the origin's --per-host and --rate limits like any other.
   */
  later(origin: string, ms: number, job: J): void {
    if (this.stopped) return;
    this.pending++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.pending--;
      this.add(origin, job);
    }, ms);
    this.timers.add(timer);
  }

  /** Resolves when every accepted job has finished (or was dropped by `stop`). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops every job that has not started, retries waiting included; running ones finish. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.pending -= this.timers.size;
    this.timers.clear();
    for (const [, o] of this.origins) {
      // Jobs in an origin's rate queue wait for its interval; cleared, they never settle.
      this.pending -= o.waiting + (o.rateQueue?.size ?? 0);
      o.backlog.length = 0;
      o.head = 0;
      o.rateQueue?.clear();
    }
    this.pending -= this.global.size;
    this.global.clear();
    this.wake();
  }

  private origin(origin: string): Origin<J> {
    let o = this.origins.get(origin);
    if (!o) {
      const { perHost, rate } = this.opts;
      o = new Origin(rate > 0 ? new PQueue({ concurrency: perHost, intervalCap: 1, interval: 1000 / rate, strict: true }) : null);
      this.origins.set(origin, o);
    }
    return o;
  }

  /** Admits jobs from the backlog while the origin has a free slot; each then waits for a global one. */
  private feed(origin: string, o: Origin<J>): void {
    while (o.waiting > 0 && o.admitted < this.opts.perHost && !this.stopped) {
      const job = o.take();
      o.admitted++;
      const release = (): void => this.release(origin, o);
      if (o.rateQueue) void o.rateQueue.add(() => this.global.add(() => this.runOne(job))).then(release, release);
      else void this.global.add(() => this.runFrom(o, job)).then(release, release);
    }
  }

  /**
   * Runs `first`, then the origin's next jobs in the same global and per-host slot for as long as no
   * other origin waits for a global slot. With nobody waiting, handing the slot back and taking it
   * again would change nothing but cost a p-queue task per URL; once someone waits, the slot goes back
   * after the current job, so hosts still take turns.
   */
  private async runFrom(o: Origin<J>, first: J): Promise<void> {
    let job = first;
    for (;;) {
      await this.runOne(job);
      if (this.stopped || o.waiting === 0 || this.global.size > 0) return;
      job = o.take();
    }
  }

  private async runOne(job: J): Promise<void> {
    try {
      await this.opts.run(job);
    } finally {
      this.pending--;
      this.wake();
    }
  }

  /** An admitted job's slot is free again: admit the next, forget the origin once it is idle. */
  private release(origin: string, o: Origin<J>): void {
    o.admitted--;
    this.feed(origin, o);
    // Forget idle origins so a list of a million hosts does not keep a million queues; with --rate
    // the queue remembers when it last started, so it goes only once its interval has passed (a new
    // queue may then start a job at once without breaking the rate).
    if (o.waiting === 0 && o.admitted === 0 && this.origins.get(origin) === o) {
      if (this.opts.rate === 0) this.origins.delete(origin);
      else this.forgetLater(origin, o);
    }
    this.wake();
  }

  private forgetLater(origin: string, o: Origin<J>): void {
    const idle = ++o.idleTimes;
    const timer = setTimeout(() => {
      // Only if nothing ran since: a job that started meanwhile set a new interval going.
      if (o.idleTimes === idle && o.waiting === 0 && o.admitted === 0 && this.origins.get(origin) === o) this.origins.delete(origin);
    }, 1000 / this.opts.rate);
    timer.unref();
  }

  /** Origins with state kept now (for tests). */
  get originCount(): number {
    return this.origins.size;
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
