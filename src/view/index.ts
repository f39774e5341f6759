// Entry point of the progress display: folds crawl events into the view state and chooses the
// Ink view (loaded lazily, so plain runs never load React) or plain lines.
import type { ProgressHandle, ProgressOptions } from './types.js';
import { createState, listen } from './state.js';
import { drawsView } from './mode.js';
import { startPlain } from './plain.js';

export type { ProgressHandle, ProgressOptions } from './types.js';

/**
 * Ink and React read the environment once, when first imported: Ink holds every frame back until
 * the end under CI (whether to draw is drawsView's call), and React without NODE_ENV loads its
 * development build, which makes each frame cost half again as much. Both are set for the import only.
 */
async function loadLive(): Promise<typeof import('./live.js')> {
  const env: Record<string, string | undefined> = {
    CI: undefined,
    CONTINUOUS_INTEGRATION: undefined,
    NODE_ENV: process.env.NODE_ENV ?? 'production',
  };
  const saved = Object.keys(env).map((key) => [key, process.env[key]] as const);
  for (const [key, value] of Object.entries(env)) setEnv(key, value);
  try {
    return await import('./live.js');
  } finally {
    for (const [key, value] of saved) setEnv(key, value);
  }
}

function setEnv(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
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
