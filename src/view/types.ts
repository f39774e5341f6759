// The progress API the CLI uses: what it passes in and the handle it gets back.
import type { CrawlEmitter } from '../events.js';
import type { LogLevel } from '../log.js';
import type { ProgressMode } from './mode.js';

export interface ProgressOptions {
  emitter: CrawlEmitter;
  mode: ProgressMode;
  /** --limit */
  limit: number;
  /** --per-host */
  perHost: number;
  /** --retries: the view says "attempt n of 1 + retries". */
  retries?: number;
  /** Where everything is written: process.stderr. */
  stream: NodeJS.WriteStream;
  /** Read for CI. */
  env: NodeJS.ProcessEnv;
  logLevel: LogLevel;
  logFile?: string;
}

export interface ProgressHandle {
  /** Non-null while the Ink view is drawn and no --log-file: the CLI's pino destination writes each JSON log line here, and the view shows warn/error ones above the frame (Ink <Static>), never torn through a frame. */
  logWrite: ((line: string) => void) | null;
  /**
   * Non-null while the Ink view is drawn: takes NDJSON text (whole lines) and prints it above the live
   * frame, never through it. For stdout on the very terminal the view draws on.
   */
  recordWrite: ((text: string) => void) | null;
  /** True when the Ink view is drawn. */
  interactive: boolean;
  /** The crawl ended (or was interrupted): draw the final frame, leave it on screen, unmount, then print the summary line. Resolves when everything is written. */
  finish(): Promise<void>;
}
