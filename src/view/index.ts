// Entry point of the progress display: folds crawl events into the view state and chooses the
// Ink view (loaded lazily, so plain runs never load React) or plain lines.
import type { ProgressHandle, ProgressOptions } from './types.js';
import { createState, listen } from './state.js';
import { drawsView } from './mode.js';
import { startPlain } from './plain.js';

export type { ProgressHandle, ProgressOptions } from './types.js';

/**
 * Ink and its helpers read the environment once, when first imported, so it is set for the import:
 * - CI unset: under CI Ink holds every frame back until the end; whether to draw is drawsView's call.
 * - NODE_ENV=production unless set: React's development build makes each frame cost half again as much.
 * - FORCE_COLOR from the stream the view is drawn on (unless the user set it): chalk looks at
 *   stdout, which is often the NDJSON file while stderr is the terminal.
 */
async function loadLive(stream: NodeJS.WriteStream): Promise<typeof import('./live.js')> {
  const env: Record<string, string | undefined> = {
    CI: undefined,
    CONTINUOUS_INTEGRATION: undefined,
    NODE_ENV: process.env.NODE_ENV ?? 'production',
    FORCE_COLOR: process.env.FORCE_COLOR ?? colorLevel(stream),
  };
  const saved = Object.keys(env).map((key) => [key, process.env[key]] as const);
  for (const [key, value] of Object.entries(env)) setEnv(key, value);
  try {
    return await import('./live.js');
  } finally {
    for (const [key, value] of saved) setEnv(key, value);
  }
}

/** chalk's level (0–3) for the colours `stream` can show: 0 unless it is a colour terminal. */
function colorLevel(stream: NodeJS.WriteStream): string {
  if (!stream.isTTY || typeof stream.getColorDepth !== 'function') return '0';
  const depth = stream.getColorDepth();
  return depth >= 24 ? '3' : depth >= 8 ? '2' : depth >= 4 ? '1' : '0';
}

function setEnv(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}

export async function startProgress(opts: ProgressOptions): Promise<ProgressHandle> {
  const clock = (): number => performance.now();
  const state = createState(clock(), opts.limit, opts.perHost, 1 + (opts.retries ?? 0));
  const detach = listen(opts.emitter, state);
  if (drawsView(opts.mode, opts.stream.isTTY === true, opts.env)) {
    const { startLive } = await loadLive(opts.stream);
    return startLive(state, opts, clock, detach);
  }
  return startPlain(state, opts, clock, detach);
}
