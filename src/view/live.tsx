// The Ink view's lifecycle: mount, re-render from a sampled snapshot a few times a second
// (never per event), show warn/error logs above the frame, and on finish leave the last frame.
import { render, useStdout } from 'ink';
import type { ReactNode } from 'react';
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
/** Record text held for the next tick at most; more is printed at once. */
const RECORD_BATCH_CHARS = 64 * 1024;

/**
 * Hands out Ink's own "write above the frame" (what useStdout().write is): it erases the frame, writes
 * the text, and draws the frame again, so record lines are never split by a redraw.
 */
function Above({ grab, children }: { grab: (write: (data: string) => void) => void; children: ReactNode }) {
  grab(useStdout().write);
  return children;
}

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
  let records = '';
  let above: ((data: string) => void) | null = null;
  const grab = (write: (data: string) => void): void => {
    above = write;
  };
  const flushRecords = (): void => {
    if (records === '') return;
    const text = records;
    records = '';
    if (above && !unmounted) above(text);
    else stream.write(text);
  };

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
      <Above grab={grab}>
        <App
          snapshot={snapshot(state, now)}
          width={stream.columns || DEFAULT_COLUMNS}
          rows={stream.rows || DEFAULT_ROWS}
          logs={logs}
        />
      </Above>
    );
  };

  const instance = render(frame(), { stdout: out, stderr: out, patchConsole: false, exitOnCtrlC: false });
  const redraw = (): void => instance.rerender(frame());
  let timer: NodeJS.Timeout;
  const tick = (): void => {
    flushRecords();
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
    flushRecords();
    state.finished = true;
    redraw();
    const exited = instance.waitUntilExit();
    instance.unmount();
    await exited;
    unmounted = true;
    const now = clock();
    await new Promise<void>((resolve) => stream.write(summaryLine(snapshot(state, now)) + '\n', () => resolve()));
  };

  const recordWrite = (text: string): void => {
    if (unmounted) {
      stream.write(text);
      return;
    }
    records += text;
    if (records.length >= RECORD_BATCH_CHARS) flushRecords();
  };

  return {
    logWrite: opts.logFile === undefined ? logWrite : null,
    recordWrite,
    interactive: true,
    finish() {
      finished ??= finish();
      return finished;
    },
  };
}
