// Progress without the Ink view: a plain line every few seconds and the summary at the end,
// or nothing at all when stderr is piped and nobody asked for info logs. Never any ANSI.
import type { ProgressHandle, ProgressOptions } from './types.js';
import type { ViewState } from './state.js';
import { sample, snapshot } from './state.js';
import { plainLine, summaryLine } from './summary.js';
import { printsPlain } from './mode.js';

export const PLAIN_INTERVAL_MS = 5000;

export function startPlain(
  state: ViewState,
  opts: ProgressOptions,
  clock: () => number,
  detach: () => void,
): ProgressHandle {
  const { stream } = opts;
  const speak = printsPlain(stream.isTTY === true, opts.logLevel);
  // Silent (stderr piped, no info logs): nothing will ever be shown, so do not fold events at all.
  if (!speak) detach();
  const timer = speak
    ? setInterval(() => {
        const now = clock();
        sample(state, now);
        stream.write(plainLine(snapshot(state, now)) + '\n');
      }, PLAIN_INTERVAL_MS)
    : null;
  timer?.unref();

  let finished: Promise<void> | null = null;
  return {
    logWrite: null,
    recordWrite: null,
    interactive: false,
    finish() {
      finished ??= new Promise<void>((resolve) => {
        if (timer) clearInterval(timer);
        detach();
        state.finished = true;
        if (!speak) return resolve();
        const now = clock();
        sample(state, now);
        stream.write(summaryLine(snapshot(state, now)) + '\n', () => resolve());
      });
      return finished;
    },
  };
}
