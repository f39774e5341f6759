// Wires one run: output sink, cookie jar, dispatcher, logger, progress view, the crawl, signals.
// Returns the exit code; every failure a user can cause becomes one line on stderr, never a stack.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { access, constants, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Crawl, type Done } from './crawl.js';
import { CrawlEmitter } from './events.js';
import { checkSelectors } from './extract/dom.js';
import { Jar } from './fetch/cookies.js';
import { createDispatcher } from './fetch/session.js';
import { InputError } from './input/lines.js';
import { checkLogFile, createLogger, type LogTarget } from './log.js';
import type { Options } from './options.js';
import { readDone } from './output/resume.js';
import { NdjsonSink } from './output/sink.js';
import { startProgress } from './view/index.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, sigint: 130, sigterm: 143 } as const;

/** How long in-flight requests may finish after the first SIGINT/SIGTERM before they are aborted. */
const GRACE_MS = 2_000;

class UserError extends Error {}

async function openOutput(path: string, append: boolean): Promise<WriteStream> {
  const stream = createWriteStream(path, { flags: append ? 'a' : 'w' });
  try {
    await once(stream, 'open');
  } catch (err) {
    throw new UserError(`cannot write ${path}: ${(err as Error).message.replace(/^\w+: /, '')}`);
  }
  return stream;
}

async function checkInputs(inputs: string[]): Promise<void> {
  for (const path of inputs) {
    if (path === '-') continue;
    try {
      await access(path, constants.R_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UserError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
    }
    // access() passes a directory; it would fail only once the crawl reached it.
    if ((await stat(path)).isDirectory()) throw new UserError(`cannot read ${path}: is a directory`);
  }
}

async function checkWritableDir(path: string, what: string): Promise<void> {
  try {
    await access(dirname(resolve(path)), constants.W_OK);
  } catch {
    throw new UserError(`cannot write ${what} ${path}: its directory does not exist or is not writable`);
  }
}

function fail(message: string): number {
  process.stderr.write(`crawl: ${message}\n`);
  return EXIT.usage;
}

export async function run(options: Options): Promise<number> {
  let done: Done | undefined;
  let out: WriteStream | undefined;
  const jar = new Jar();
  try {
    await checkInputs(options.inputs);
    await checkSelectors(options.select);
    if (options.cookie !== undefined) await jar.load(options.cookie);
    if (options.logFile) await checkLogFile(options.logFile).catch((err: Error) => { throw new UserError(`cannot write log file ${options.logFile}: ${err.message}`); });
    if (options.output) {
      if (options.resume) done = await readDone(options.output);
      out = await openOutput(options.output, options.resume);
    }
    // The jar is written at the end; find out now, not after the crawl, that it cannot be.
    if (options.cookieJar) await checkWritableDir(options.cookieJar, 'cookie jar');
  } catch (err) {
    // UserError, CookieFileError, InputError: messages written for the user, one line each.
    return fail((err as Error).message);
  }

  const emitter = new CrawlEmitter();
  const progress = await startProgress({
    emitter,
    mode: options.progress,
    limit: options.limit,
    perHost: options.perHost,
    stream: process.stderr,
    env: process.env,
    logLevel: options.logLevel,
    ...(options.logFile ? { logFile: options.logFile } : {}),
  });
  const target: LogTarget = options.logFile
    ? { kind: 'file', path: options.logFile }
    : progress.logWrite
      ? { kind: 'view', write: progress.logWrite }
      : { kind: 'stderr' };
  const logger = createLogger(options.logLevel, target);
  const dispatcher = createDispatcher({ perHost: options.perHost, timeout: options.timeout, resolve: options.resolve, env: process.env });

  let crawl: Crawl | undefined;
  let outputError: string | undefined;
  const sink = new NdjsonSink(out ?? process.stdout, (err) => {
    crawl?.abort();
    if (err.code === 'EPIPE' || !out) {
      // The reader went away (`crawl … | head -1`): nothing more can be delivered; end now, quietly.
      process.exit(EXIT.ok);
    }
    outputError = `cannot write ${options.output}: ${err.message}`;
  });
  crawl = new Crawl({ options, stdin: process.stdin, sink, emitter, logger, dispatcher, jar, ...(done ? { done } : {}) });

  let signal: NodeJS.Signals | undefined;
  let grace: NodeJS.Timeout | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signal === undefined) {
      signal = sig;
      logger.info({ signal: sig }, 'stopping');
      emitter.emit('stopping', false);
      crawl.stop();
      grace = setTimeout(() => crawl.abort(), GRACE_MS);
      grace.unref();
    } else {
      emitter.emit('stopping', true);
      crawl.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let inputError: string | undefined;
  let result = { records: 0, failed: 0 };
  try {
    result = await crawl.run();
  } catch (err) {
    crawl.abort();
    inputError = err instanceof InputError ? err.message : `unexpected error: ${(err as Error).message}`;
    // An input error is the user's: the one stderr line below says it all, no logged stack.
    if (!(err instanceof InputError)) logger.error({ err }, 'crawl failed');
  }
  clearTimeout(grace);
  await sink.close(out !== undefined);
  if (options.cookieJar) {
    try {
      await jar.save(options.cookieJar);
    } catch (err) {
      outputError ??= (err as Error).message;
    }
  }
  await progress.finish();
  void dispatcher.destroy().catch(() => undefined);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  if (inputError) return fail(inputError);
  if (outputError) return fail(outputError);
  if (signal) return signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
  return options.fail && result.failed > 0 ? EXIT.failed : EXIT.ok;
}
