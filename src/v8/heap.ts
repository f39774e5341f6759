// Keeps V8's young generation at 16 MB (two 8 MB semi-spaces) instead of its 32 MB maximum.
// Over thousands of hosts, 64 fresh connections at a time survive scavenges, so the young generation
// grows to its maximum and the old one fills with their garbage before a full collection: peak RSS
// was 1.30–1.44× that of the same list over four hosts, with this cap 1.15–1.26× (README
// "Performance"). `node --max-semi-space-size=8` does the same, but only when given at start:
// v8.setFlagsFromString cannot change it later, and a flag in bin/crawl.js's shebang needs
// `env -S`, which BusyBox (Alpine) and the BSDs lack. V8 does read its growth factor each time it
// grows the young generation, so after every collection: below the cap, grow as V8 would (factor
// 2); at the cap, do not grow (factor 1). Should V8 ignore the flag, nothing changes. A user's
// own semi-space flags win: then nothing is done.
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString, type HeapSpaceInfo } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { userGaveFlag } from './flags.js';

/** Both semi-spaces together, as V8 reports new_space's size. */
export const YOUNG_CAP_BYTES = 16 * 1024 * 1024;
/** V8's default --semi-space-growth-factor. */
const V8_GROWTH = 2;

function space(name: 'new_space' | 'old_space'): HeapSpaceInfo | undefined {
  return getHeapSpaceStatistics().find((s) => s.space_name === name);
}

function newSpaceBytes(): number {
  return space('new_space')?.space_size ?? 0;
}

/** True when node was started with a semi-space flag of the user's (command line or NODE_OPTIONS). */
export function userSizedYoung(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return userGaveFlag(/^--(?:(?:max|min)[-_])?semi[-_]space[-_]/, execArgv, nodeOptions);
}

/**
 * Caps the young generation at `capBytes` from now on (see above); returns the function that stops
 * watching. Does nothing, and returns a no-op, when the user sized the young generation.
 */
export function capYoungGeneration(capBytes = YOUNG_CAP_BYTES, execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS): () => void {
  if (userSizedYoung(execArgv, nodeOptions)) return () => undefined;
  let growing = true;
  const check = (): void => {
    const atCap = newSpaceBytes() >= capBytes;
    if (atCap !== growing) return;
    setFlagsFromString(`--semi-space-growth-factor=${atCap ? 1 : V8_GROWTH}`);
    growing = !atCap;
  };
  const observer = new PerformanceObserver(check);
  observer.observe({ entryTypes: ['gc'] });
  check();
  return () => {
    observer.disconnect();
    if (!growing) setFlagsFromString(`--semi-space-growth-factor=${V8_GROWTH}`);
  };
}

// The old generation, over many hosts: each origin's connection objects (undici Client, socket,
// parser state) live past two scavenges and are promoted, then die there, and V8 lets the old
// generation grow to about four times what a full collection keeps before it collects again: over
// 10,000 origins, heaps of 40–55 MB of which 12.5 MB live (`node --trace-gc`). Telling V8 to grow it
// to twice what is live (--heap-growing-percent=100) bounds that garbage: peak RSS there
// 114–127 MB → 98–100 MB, for 6–11 % more CPU. Over few hosts little is promoted (--links: old
// space 8–9 MB before a full collection, 8 MB after) and the same flag only adds collections (+13 %
// CPU there), so it is set only once old space, between two full collections, has grown to
// PROMOTED_RATIO × what the last one kept, and by PROMOTED_MIN_BYTES at least (a small heap held to
// twice its size would be collected all the time). V8 reads the flag when a full collection sets
// the next limit, and the limit in force then is the 4× one, so one full collection is asked for at
// once, through a `gc` function from a fresh context (--expose-gc never reaches crawl's own
// global). A user's own heap-growing flag wins.
/** Old space in use ÷ what the last full collection kept there, from which it is held to 2× live. */
export const PROMOTED_RATIO = 2;
/** And old space must have grown by this much since that collection. */
export const PROMOTED_MIN_BYTES = 8 * 1024 * 1024;
const TIGHT_GROWING_PERCENT = 100;

/** True when node was started with a heap-growing flag of the user's. */
export function userGrowingHeap(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return userGaveFlag(/^--heap[-_]growing[-_]percent(?:=|$)/, execArgv, nodeOptions);
}

function oldSpaceUsed(): number {
  return space('old_space')?.space_used_size ?? 0;
}

/** A full collection now, without exposing `gc` on crawl's own global. */
function collectNow(): void {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  setFlagsFromString('--no-expose-gc');
  if (typeof gc === 'function') gc();
}

type GcEntry = PerformanceEntry & { detail?: { kind?: number } };

/**
 * Watches collections and holds the old generation to twice its live size once old space grows to
 * `ratio` × what a full collection kept (see above); returns the function that stops watching and
 * gives V8 its own way back. `onTight` hears when that happens. Does nothing, and returns a no-op,
 * when the user set the growing factor.
 */
export function boundOldGeneration(ratio = PROMOTED_RATIO, execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS, onTight?: () => void): () => void {
  if (userGrowingHeap(execArgv, nodeOptions)) return () => undefined;
  let tight = false;
  /** Old space in use after the last full collection; undefined before the first. */
  let kept: number | undefined;
  const observer = new PerformanceObserver((list) => {
    const old = oldSpaceUsed();
    if (list.getEntries().some((e) => (e as GcEntry).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) {
      kept = old;
      return;
    }
    if (kept === undefined || old < ratio * kept || old - kept < PROMOTED_MIN_BYTES) return;
    tight = true;
    observer.disconnect();
    setFlagsFromString(`--heap-growing-percent=${TIGHT_GROWING_PERCENT}`);
    collectNow();
    onTight?.();
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    if (tight) setFlagsFromString('--heap-growing-percent=0');
  };
}
