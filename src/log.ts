// The one pino root logger. JSON lines to stderr, to --log-file, or into the progress view; never stdout.
// pino itself is loaded on the first line actually logged: at the default level (warn) most crawls
// log nothing, and they save its start-up time and memory; a disabled level costs one comparison.
import { createRequire } from 'node:module';
import type * as Pino from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogTarget = { kind: 'stderr' } | { kind: 'file'; path: string } | { kind: 'view'; write: (line: string) => void };

type Level = Exclude<LogLevel, 'silent'>;

/** pino's numeric levels. */
const VALUES: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

export class Logger {
  private readonly threshold: number;
  private real: Pino.Logger | undefined;

  constructor(private readonly level: LogLevel, private readonly target: LogTarget) {
    this.threshold = VALUES[level];
  }

  isLevelEnabled(level: Level): boolean {
    return VALUES[level] >= this.threshold;
  }

  trace(obj: object, msg: string): void {
    this.write('trace', obj, msg);
  }
  debug(obj: object, msg: string): void {
    this.write('debug', obj, msg);
  }
  info(obj: object, msg: string): void {
    this.write('info', obj, msg);
  }
  warn(obj: object, msg: string): void {
    this.write('warn', obj, msg);
  }
  error(obj: object, msg: string): void {
    this.write('error', obj, msg);
  }

  private write(level: Level, obj: object, msg: string): void {
    if (VALUES[level] < this.threshold) return;
    this.real ??= this.open();
    this.real[level](obj, msg);
  }

  private open(): Pino.Logger {
    const pino = createRequire(import.meta.url)('pino') as typeof Pino.pino;
    const t = this.target;
    const dest: Pino.DestinationStream =
      t.kind === 'view'
        ? { write: t.write }
        : pino.destination(t.kind === 'file' ? { dest: t.path, sync: true, append: true } : { dest: 2, sync: true });
    return pino({ level: this.level, base: { name: 'crawl' } }, dest);
  }
}

export function createLogger(level: LogLevel, target: LogTarget): Logger {
  return new Logger(level, target);
}

/** Checks that --log-file can be opened for appending, so a bad path is a usage error, not a crash. */
export async function checkLogFile(path: string): Promise<void> {
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'a');
  await fh.close();
}
