// Entry point of the progress display: folds crawl events into the view state and chooses the
// Ink view (loaded lazily, so plain runs never load React) or plain lines.
import type { ProgressHandle, ProgressOptions } from './types.js';
import { createState, listen } from './state.js';
import { drawsView } from './mode.js';
import { startPlain } from './plain.js';

export type { ProgressHandle, ProgressOptions } from './types.js';

/** Ink reads CI once, when imported, and then draws only a final frame; whether to draw is decided by drawsView. */
async function loadLive(): Promise<typeof import('./live.js')> {
  const keys = ['CI', 'CONTINUOUS_INTEGRATION'] as const;
  const saved = keys.map((key) => [key, process.env[key]] as const);
  for (const key of keys) delete process.env[key];
  try {
    return await import('./live.js');
  } finally {
    for (const [key, value] of saved) if (value !== undefined) process.env[key] = value;
  }
}

export async function startProgress(opts: ProgressOptions): Promise<ProgressHandle> {
  const clock = (): number => performance.now();
  const state = createState(clock(), opts.limit, opts.perHost);
  const detach = listen(opts.emitter, state);
  if (drawsView(opts.mode, opts.stream.isTTY === true, opts.env)) {
    const { startLive } = await loadLive();
    return startLive(state, opts, clock, detach);
  }
  return startPlain(state, opts, clock, detach);
}
