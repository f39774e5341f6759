// The Ink view's lifecycle: mount, re-render from a sampled snapshot a few times a second
// (never per event), show warn/error logs above the frame, and on finish leave the last frame.
import { render } from 'ink';
import type { ProgressHandle, ProgressOptions } from './types.js';
import type { ViewState } from './state.js';
import { sample, snapshot } from './state.js';
import { App, type LogBatch } from './App.js';
import { summaryLine } from './summary.js';
import { logTexts } from './logs.js';
import { DEFAULT_COLUMNS, inkStream } from './ink-stream.js';

export const TICK_MS = 250;
/**
 * Ink 6 caches the measurements of every distinct line it lays out, forever (vadimdemedes/ink#986):
 * about 30 MB an hour at 4 frames/s. Long crawls therefore slow to one frame a second after a while.
 */
export const SLOW_TICK_MS = 1000;
export const SLOW_AFTER_MS = 10 * 60 * 1000;
/** Log lines shown per tick; a flood beyond this is counted, not drawn. */
export const MAX_LOG_LINES_PER_TICK = 100;
const DEFAULT_ROWS = 24;

export function startLive(
  state: ViewState,
  opts: ProgressOptions,
  clock: () => number,
  detach: () => void,
): ProgressHandle {
  const { stream } = opts;
  const out = inkStream(stream);
  let logs: LogBatch = { id: 0, lines: [] };
  let pending: string[] = [];
  let dropped = 0;
  let unmounted = false;

  const frame = () => {
    const now = clock();
    sample(state, now);
    if (pending.length > 0 || dropped > 0) {
      const lines = dropped > 0 ? [...pending, `… ${dropped} more log lines not shown (--log-file keeps them all)`] : pending;
      logs = { id: logs.id + 1, lines };
      pending = [];
      dropped = 0;
    }
    return (
      <App
        snapshot={snapshot(state, now)}
        width={stream.columns || DEFAULT_COLUMNS}
        rows={stream.rows || DEFAULT_ROWS}
        logs={logs}
      />
    );
  };

  const instance = render(frame(), { stdout: out, stderr: out, patchConsole: false, exitOnCtrlC: false });
  const redraw = (): void => instance.rerender(frame());
  let timer: NodeJS.Timeout;
  const tick = (): void => {
    redraw();
    schedule();
  };
  const schedule = (): void => {
    timer = setTimeout(tick, clock() - state.startedAt < SLOW_AFTER_MS ? TICK_MS : SLOW_TICK_MS);
    timer.unref();
  };
  schedule();
  stream.on('resize', redraw);

  const logWrite = (chunk: string): void => {
    const texts = logTexts(chunk);
    if (unmounted) {
      for (const text of texts) stream.write(text + '\n');
      return;
    }
    for (const text of texts) {
      if (pending.length < MAX_LOG_LINES_PER_TICK) pending.push(text);
      else dropped++;
    }
  };

  let finished: Promise<void> | null = null;
  const finish = async (): Promise<void> => {
    clearTimeout(timer);
    stream.off('resize', redraw);
    detach();
    state.finished = true;
    redraw();
    const exited = instance.waitUntilExit();
    instance.unmount();
    await exited;
    unmounted = true;
    const now = clock();
    await new Promise<void>((resolve) => stream.write(summaryLine(snapshot(state, now)) + '\n', () => resolve()));
  };

  return {
    logWrite: opts.logFile === undefined ? logWrite : null,
    interactive: true,
    finish() {
      finished ??= finish();
      return finished;
    },
  };
}
