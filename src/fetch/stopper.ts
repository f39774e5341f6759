// Aborting many requests at once, cheaply: each attempt gets an AttemptSignal, a one-listener
// stand-in for an AbortSignal (which costs several times more per request), and the Stopper fires
// every attempt still running when the crawl is stopped. Our timeout fires the same signal.

type Listener = () => void;

export class AttemptSignal {
  aborted = false;
  private listener: Listener | undefined;

  once(_event: 'abort', listener: Listener): this {
    this.listener = listener;
    return this;
  }

  removeListener(_event: 'abort', listener: Listener): this {
    if (this.listener === listener) this.listener = undefined;
    return this;
  }

  /** Aborts the attempt (our timeout and the Stopper both use this). */
  fire(): void {
    if (this.aborted) return;
    this.aborted = true;
    const l = this.listener;
    this.listener = undefined;
    l?.();
  }
}

export class Stopper {
  aborted = false;
  private readonly active = new Set<AttemptSignal>();

  /** A signal for one attempt; `release` it when the attempt ends. Already fired if stopped. */
  signal(): AttemptSignal {
    const e = new AttemptSignal();
    if (this.aborted) e.aborted = true;
    else this.active.add(e);
    return e;
  }

  release(e: AttemptSignal): void {
    this.active.delete(e);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const e of this.active) e.fire();
    this.active.clear();
  }
}
