// The one pino root logger. JSON lines to stderr, to --log-file, or into the progress view; never stdout.
// pino itself is loaded on the first line actually logged: at the default level (warn) most crawls
// log nothing, and they save its start-up time and memory; a disabled level costs one comparison.
import { createRequire } from 'node:module';
import type * as Pino from 'pino';
import { ioMessage } from './io-message.js';
import { redact } from './redact.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogTarget = { kind: 'stderr' } | { kind: 'file'; path: string } | { kind: 'view'; write: (line: string) => void };

type Level = Exclude<LogLevel, 'silent'>;

/** pino's numeric levels. */
const VALUES: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

export class Logger {
  private threshold: number;
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
    let write: (line: string) => void;
    if (t.kind === 'view') {
      write = t.write;
    } else {
      const boom = pino.destination(t.kind === 'file' ? { dest: t.path, sync: true, append: true } : { dest: 2, sync: true });
      // A log line that cannot be written (a full disk) must not cost a record: it stops logging.
      const fail = (err: unknown): void => this.broken(t.kind === 'file' ? t.path : null, err);
      boom.on('error', fail);
      write = (line) => {
        try {
          boom.write(line);
        } catch (err) {
          fail(err);
        }
      };
    }
    // Every line passes redact(): no URL password or Authorization/Cookie value reaches a log.
    const dest: Pino.DestinationStream = { write: (line) => { if (this.threshold !== Infinity) write(redact(line)); } };
    return pino({ level: this.level, base: { name: 'crawl' } }, dest);
  }

  /** Logging stops for the rest of the run; one stderr line says so (unless stderr is what failed). */
  private broken(file: string | null, err: unknown): void {
    if (this.threshold === Infinity) return;
    this.threshold = Infinity;
    if (file !== null) process.stderr.write(`crawl: cannot write log file ${file}: ${ioMessage(err)}; logging stopped, the crawl goes on\n`);
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
