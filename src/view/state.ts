// The view's model: a plain mutable fold of crawl events (O(1) per event) and `snapshot()`,
// which the timer calls a few times a second to get an immutable picture to draw.
import type { CrawlEmitter } from '../events.js';
import type { CrawlRecord } from '../record.js';
import { Ring } from './ring.js';
import { hostLabel } from './format.js';
import { SeenSet } from '../input/seen.js';

/** How far back pages/s and bytes/s look. */
export const RATE_WINDOW_MS = 5000;
/** Latencies kept per host for its median. */
const LATENCY_SAMPLES = 32;
/** Failures kept for the "last failures" lines. */
const RECENT_FAILURES = 3;
/**
 * Per-host states kept at most. Busy hosts are always kept; idle ones are forgotten oldest first, so
 * a crawl over a million hosts does not keep a million states for a table that shows five.
 */
export const MAX_HOSTS = 1000;
/** Hosts listed in the busiest-hosts table. */
export const TOP_HOSTS = 5;
/** A request running longer than this is shown as slow, with its URL, time and attempt. */
export const SLOW_MS = 5000;
/** With at most this many URLs left (input fully read), the longest-running ones are shown anyway. */
export const FEW_LEFT = 5;
/** ...but only once one has run this long: the last quick pages of every crawl would only flicker. */
export const FEW_LEFT_MIN_MS = 1000;
/** Slow requests listed at most. */
export const SLOW_SHOWN = 3;

/** A request in flight, for the "what is stuck" lines. */
interface Running {
  url: string;
  since: number;
  attempt: number;
}

export interface SlowRequest {
  url: string;
  elapsedMs: number;
  /** 1-based attempt of `attempts` (1 + --retries). */
  attempt: number;
  attempts: number;
}

export interface HostState {
  origin: string;
  active: number;
  queued: number;
  done: number;
  failed: number;
  latency: Ring;
}

export interface Failure {
  code: string;
  status: number | null;
  url: string;
}

interface Sample {
  t: number;
  done: number;
  bytes: number;
}

export type Stopping = 'no' | 'graceful' | 'force';

export interface ViewState {
  startedAt: number;
  limit: number;
  perHost: number;
  total: number;
  inputDone: boolean;
  done: number;
  ok: number;
  failed: number;
  bytes: number;
  inFlight: number;
  hosts: Map<string, HostState>;
  /** Every origin ever seen, as 64-bit hashes: the host count survives forgetting idle hosts. */
  seenHosts: SeenSet;
  /** Hosts with active or queued work: the only ones the busiest-hosts table must scan. */
  busy: Set<HostState>;
  /** Records with a status, by class: index 1 = 1xx … 5 = 5xx (0 = anything else). */
  classes: number[];
  /** Failed records without a status (network errors, invalid URLs), by code. */
  netErrors: Map<string, number>;
  /** All failed records, by code: the summary's parenthesis. */
  failCodes: Map<string, number>;
  recent: Failure[];
  stopping: Stopping;
  finished: boolean;
  samples: Sample[];
  /** 1 + --retries. */
  attempts: number;
  /** Retries scheduled so far. */
  retries: number;
  /** Requests in flight by URL (at most --limit). */
  running: Map<string, Running>;
  /** Attempts started per URL that has no record yet (in flight or waiting for a retry). */
  tries: Map<string, number>;
}

export interface HostSnapshot {
  label: string;
  active: number;
  queued: number;
  done: number;
  failed: number;
  medianMs: number | null;
  /** Work is queued while the host is at its --per-host cap. */
  waiting: boolean;
}

export interface Snapshot {
  elapsedMs: number;
  total: number;
  inputDone: boolean;
  done: number;
  ok: number;
  failed: number;
  bytes: number;
  inFlight: number;
  limit: number;
  perHost: number;
  pagesPerSec: number;
  bytesPerSec: number;
  /** Null while the input is still being read or nothing has finished in the window. */
  etaMs: number | null;
  hostCount: number;
  waitingHosts: number;
  hosts: HostSnapshot[];
  classes: { '2xx': number; '3xx': number; '4xx': number; '5xx': number; other: number };
  /** Network error codes with counts, most frequent first. */
  netErrors: [string, number][];
  /** Failure codes with counts, most frequent first. */
  failCodes: [string, number][];
  recent: Failure[];
  stopping: Stopping;
  finished: boolean;
  retries: number;
  /** The longest-running requests, longest first, when one runs over SLOW_MS or few URLs are left. */
  slow: SlowRequest[];
}

export function createState(now: number, limit: number, perHost: number, attempts = 1): ViewState {
  return {
    startedAt: now,
    limit,
    perHost,
    total: 0,
    inputDone: false,
    done: 0,
    ok: 0,
    failed: 0,
    bytes: 0,
    inFlight: 0,
    hosts: new Map(),
    seenHosts: new SeenSet(),
    busy: new Set(),
    classes: [0, 0, 0, 0, 0, 0],
    netErrors: new Map(),
    failCodes: new Map(),
    recent: [],
    stopping: 'no',
    finished: false,
    samples: [{ t: now, done: 0, bytes: 0 }],
    attempts,
    retries: 0,
    running: new Map(),
    tries: new Map(),
  };
}

function host(state: ViewState, origin: string): HostState {
  let h = state.hosts.get(origin);
  if (!h) {
    if (state.hosts.size >= MAX_HOSTS) forgetIdle(state);
    h = { origin, active: 0, queued: 0, done: 0, failed: 0, latency: new Ring(LATENCY_SAMPLES) };
    state.hosts.set(origin, h);
    state.seenHosts.add(origin);
  }
  return h;
}

/** Drops idle hosts, oldest first (Map order), down to half of MAX_HOSTS: amortized O(1) per host. */
function forgetIdle(state: ViewState): void {
  for (const [origin, h] of state.hosts) {
    if (state.hosts.size <= MAX_HOSTS / 2) return;
    if (!state.busy.has(h)) state.hosts.delete(origin);
  }
}

function markBusy(state: ViewState, h: HostState): void {
  if (h.active + h.queued > 0) state.busy.add(h);
  else state.busy.delete(h);
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** The event folds, one per event; each is O(1). */
export const fold = {
  read(state: ViewState, total: number): void {
    state.total = Math.max(state.total, total);
  },
  inputEnd(state: ViewState, total: number): void {
    state.total = total;
    state.inputDone = true;
  },
  queued(state: ViewState, origin: string): void {
    const h = host(state, origin);
    h.queued++;
    markBusy(state, h);
  },
  start(state: ViewState, origin: string, url = '', now = performance.now()): void {
    if (url !== '') {
      const attempt = (state.tries.get(url) ?? 0) + 1;
      state.tries.set(url, attempt);
      state.running.set(url, { url, since: now, attempt });
    }
    const h = host(state, origin);
    if (h.queued > 0) h.queued--;
    h.active++;
    state.inFlight++;
    markBusy(state, h);
  },
  /** An attempt ended and the URL waits for a retry: no longer in flight, queued again. */
  retry(state: ViewState, origin: string, url = ''): void {
    state.retries++;
    state.running.delete(url);
    const h = host(state, origin);
    if (h.active > 0) {
      h.active--;
      state.inFlight--;
    }
    h.queued++;
    markBusy(state, h);
  },
  done(state: ViewState, origin: string | null, record: CrawlRecord): void {
    state.running.delete(record.url);
    state.tries.delete(record.url);
    state.done++;
    state.bytes += record.bytes ?? 0;
    if (record.status !== null) {
      const cls = Math.floor(record.status / 100);
      state.classes[cls >= 1 && cls <= 5 ? cls : 0]!++;
    }
    if (record.ok) {
      state.ok++;
    } else {
      state.failed++;
      bump(state.failCodes, record.error.code);
      if (record.status === null) bump(state.netErrors, record.error.code);
      state.recent.push({ code: record.error.code, status: record.status, url: record.url });
      if (state.recent.length > RECENT_FAILURES) state.recent.shift();
    }
    if (origin === null) return;
    const h = host(state, origin);
    if (h.active > 0) {
      h.active--;
      state.inFlight--;
    }
    if (record.ok) h.done++;
    else h.failed++;
    if (record.ms !== undefined) h.latency.push(record.ms);
    markBusy(state, h);
  },
  stopping(state: ViewState, force: boolean): void {
    if (force || state.stopping === 'no') state.stopping = force ? 'force' : 'graceful';
  },
};

/** Fold the emitter's events into `state`; returns the function that stops listening. */
export function listen(emitter: CrawlEmitter, state: ViewState): () => void {
  const onRead = (total: number): void => fold.read(state, total);
  const onInputEnd = (total: number): void => fold.inputEnd(state, total);
  const onQueued = (origin: string): void => fold.queued(state, origin);
  const onStart = (origin: string, url: string): void => fold.start(state, origin, url);
  const onRetry = (origin: string, url: string): void => fold.retry(state, origin, url);
  const onDone = (origin: string | null, record: CrawlRecord): void => fold.done(state, origin, record);
  const onStopping = (force: boolean): void => fold.stopping(state, force);
  emitter.on('read', onRead);
  emitter.on('inputEnd', onInputEnd);
  emitter.on('queued', onQueued);
  emitter.on('start', onStart);
  emitter.on('retry', onRetry);
  emitter.on('done', onDone);
  emitter.on('stopping', onStopping);
  return () => {
    emitter.off('read', onRead);
    emitter.off('inputEnd', onInputEnd);
    emitter.off('queued', onQueued);
    emitter.off('start', onStart);
    emitter.off('retry', onRetry);
    emitter.off('done', onDone);
    emitter.off('stopping', onStopping);
  };
}

/** Record the counters at `now` for the sliding rate window (call once per tick). */
export function sample(state: ViewState, now: number): void {
  const { samples } = state;
  samples.push({ t: now, done: state.done, bytes: state.bytes });
  // Keep the newest sample at or before the window's start, so the window spans its full width.
  while (samples.length > 2 && samples[1]!.t <= now - RATE_WINDOW_MS) samples.shift();
}

/** Order for the busiest-hosts table: active+queued, then pages finished, then name. */
function busier(a: HostState, b: HostState): number {
  return b.active + b.queued - (a.active + a.queued) || b.done + b.failed - (a.done + a.failed) || (a.origin < b.origin ? -1 : 1);
}

/** The `k` first of `items` in `cmp` order, by insertion into a k-long list: O(n·k). */
function topK<T>(items: Iterable<T>, k: number, cmp: (a: T, b: T) => number, skip?: Set<T>): T[] {
  const top: T[] = [];
  for (const item of items) {
    if (skip?.has(item)) continue;
    if (top.length === k && cmp(item, top[k - 1]!) >= 0) continue;
    let i = top.length;
    while (i > 0 && cmp(item, top[i - 1]!) < 0) i--;
    top.splice(i, 0, item);
    if (top.length > k) top.pop();
  }
  return top;
}

function byCount(map: Map<string, number>): [string, number][] {
  return [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** What is stuck: the longest-running requests once one passes SLOW_MS, or whenever few URLs are left. */
function slowRequests(state: ViewState, now: number): SlowRequest[] {
  if (state.finished || state.running.size === 0) return [];
  const top = topK(state.running.values(), SLOW_SHOWN, (a, b) => a.since - b.since);
  const fewLeft = state.inputDone && state.total - state.done <= FEW_LEFT;
  if (now - top[0]!.since <= (fewLeft ? FEW_LEFT_MIN_MS : SLOW_MS)) return [];
  return top.map((r) => ({ url: r.url, elapsedMs: now - r.since, attempt: r.attempt, attempts: state.attempts }));
}

export function snapshot(state: ViewState, now: number): Snapshot {
  const oldest = state.samples[0]!;
  const span = (now - oldest.t) / 1000;
  const pagesPerSec = span > 0 ? (state.done - oldest.done) / span : 0;
  const bytesPerSec = span > 0 ? (state.bytes - oldest.bytes) / span : 0;
  const remaining = Math.max(0, state.total - state.done);
  let etaMs: number | null = null;
  if (state.inputDone) etaMs = remaining === 0 ? 0 : pagesPerSec > 0 ? (remaining / pagesPerSec) * 1000 : null;

  let top = topK(state.busy, TOP_HOSTS, busier);
  if (top.length < TOP_HOSTS) top = top.concat(topK(state.hosts.values(), TOP_HOSTS - top.length, busier, state.busy));
  // Once the crawl has ended nothing waits any more, whatever was left queued.
  const waits = (h: HostState): boolean => !state.finished && h.queued > 0 && h.active >= state.perHost;
  let waitingHosts = 0;
  for (const h of state.busy) if (waits(h)) waitingHosts++;

  const c = state.classes;
  return {
    elapsedMs: now - state.startedAt,
    total: state.total,
    inputDone: state.inputDone,
    done: state.done,
    ok: state.ok,
    failed: state.failed,
    bytes: state.bytes,
    inFlight: state.inFlight,
    limit: state.limit,
    perHost: state.perHost,
    pagesPerSec,
    bytesPerSec,
    etaMs,
    hostCount: state.seenHosts.size,
    waitingHosts,
    hosts: top.map((h) => ({
      label: hostLabel(h.origin),
      active: h.active,
      queued: h.queued,
      done: h.done,
      failed: h.failed,
      medianMs: h.latency.median(),
      waiting: waits(h),
    })),
    classes: { '2xx': c[2]!, '3xx': c[3]!, '4xx': c[4]!, '5xx': c[5]!, other: c[0]! + c[1]! },
    netErrors: byCount(state.netErrors),
    failCodes: byCount(state.failCodes),
    recent: state.recent.slice(),
    stopping: state.stopping,
    finished: state.finished,
    retries: state.retries,
    slow: slowRequests(state, now),
  };
}
