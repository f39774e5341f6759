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
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** Both semi-spaces together, as V8 reports new_space's size. */
export const YOUNG_CAP_BYTES = 16 * 1024 * 1024;
/** V8's default --semi-space-growth-factor. */
const V8_GROWTH = 2;

function newSpaceBytes(): number {
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.space_size;
  return 0;
}

/** True when node was started with a semi-space flag of the user's (command line or NODE_OPTIONS). */
export function userSizedYoung(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((a) => /^--(?:(?:max|min)[-_])?semi[-_]space[-_]/.test(a));
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
