// Aborting many requests at once without an AbortController per request: each attempt gets a plain
// EventEmitter (undici accepts one as `signal`, and it costs a fraction of an AbortSignal), and the
// Stopper fires 'abort' on every attempt still running when the crawl is stopped.
import { EventEmitter } from 'node:events';

export class Stopper {
  aborted = false;
  private readonly active = new Set<EventEmitter>();

  /** A signal for one attempt; `release` it when the attempt ends. Already fired if stopped. */
  signal(): EventEmitter {
    const e = new EventEmitter();
    if (this.aborted) (e as EventEmitter & { aborted?: boolean }).aborted = true;
    else this.active.add(e);
    return e;
  }

  release(e: EventEmitter): void {
    this.active.delete(e);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const e of this.active) fire(e);
    this.active.clear();
  }
}

/** Fires an attempt's signal (our timeout uses this too). */
export function fire(e: EventEmitter): void {
  (e as EventEmitter & { aborted?: boolean }).aborted = true;
  e.emit('abort');
}
