// Which kind of progress output a run gets: the Ink view, plain lines, or silence.
import { fstatSync } from 'node:fs';
import type { LogLevel } from '../log.js';

export const PROGRESS_MODES = ['auto', 'always', 'never'] as const;
/** auto: the view on a TTY outside CI; always; never. */
export type ProgressMode = (typeof PROGRESS_MODES)[number];

/** The Ink view is drawn for `always`, and for `auto` on a TTY outside CI. */
export function drawsView(mode: ProgressMode, isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return isTTY && (env.CI === undefined || env.CI === '');
}

/** Without the view, plain progress and summary lines go to a TTY, or to anyone who asked for info logs. */
export function printsPlain(isTTY: boolean, logLevel: LogLevel): boolean {
  return isTTY || logLevel === 'info' || logLevel === 'debug' || logLevel === 'trace';
}

/**
 * Whether stdout is the terminal the view draws on (stderr): `crawl urls.txt` in a terminal. Then
 * records must go through the view, above its frame, or redraws would erase and split them.
 */
export function sameTerminal(): boolean {
  if (!process.stdout.isTTY || !process.stderr.isTTY) return false;
  try {
    const out = fstatSync(1);
    const err = fstatSync(2);
    return out.rdev === err.rdev && out.ino === err.ino && out.dev === err.dev;
  } catch {
    return false;
  }
}
