// The one pino root logger. JSON lines to stderr, to --log-file, or into the progress view; never stdout.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './options.js';

export type { Logger };

export type LogTarget = { kind: 'stderr' } | { kind: 'file'; path: string } | { kind: 'view'; write: (line: string) => void };

export function createLogger(level: LogLevel, target: LogTarget): Logger {
  let dest: DestinationStream;
  if (target.kind === 'view') dest = { write: target.write };
  else if (target.kind === 'file') dest = pino.destination({ dest: target.path, sync: true, append: true });
  else dest = pino.destination({ dest: 2, sync: true });
  return pino({ level, base: { name: 'crawl' } }, dest);
}

/** Checks that --log-file can be opened for appending, so a bad path is a usage error, not a crash. */
export async function checkLogFile(path: string): Promise<void> {
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'a');
  await fh.close();
}
