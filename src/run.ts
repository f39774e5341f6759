// Wires one run: output sink, cookie jar, dispatcher, logger, progress view, the crawl, signals.
// Returns the exit code; every failure a user can cause becomes one line on stderr, never a stack,
// and anything else is reported as the bug it is (report.ts).
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { access, constants, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { Crawl, type CrawlSettings } from './crawl.js';
import { CrawlEmitter } from './events.js';
import { EXIT } from './exit.js';
import { checkSelectors } from './extract/dom.js';
import { Jar } from './fetch/cookies.js';
import { descriptorLimit, descriptorsFor, limitFor } from './fetch/descriptors.js';
import { createSession } from './fetch/session.js';
import { clientCertificate, TlsLedger, trustedRoots, type TlsSettings } from './fetch/tls.js';
import { boundOldGeneration, capYoungGeneration } from './v8/heap.js';
import { keepWasmOnLiftoff } from './v8/wasm-tier.js';
import { ioMessage } from './io-message.js';
import { checkLogFile, createLogger, type LogTarget } from './log.js';
import type { Options } from './options.js';
import { LockedError, lockOutput, type Lock } from './output/lock.js';
import { NdjsonSink } from './output/ndjson.js';
import { readDone, type Done } from './output/resume.js';
import { findClash, type NamedFile } from './output/same-file.js';
import { report } from './report.js';
import { UserError } from './user-error.js';
import { startProgress } from './view/index.js';
import { sameTerminal } from './view/mode.js';

/** How long in-flight requests may finish after the first SIGINT/SIGTERM/SIGHUP before they are aborted. */
const GRACE_MS = 2_000;

/** What the crawl reads of the options. */
export function crawlSettings(o: Options): CrawlSettings {
  return {
    inputs: o.inputs,
    limit: o.limit,
    perHost: o.perHost,
    rate: o.rate,
    retries: o.retries,
    headers: o.headers,
    userAgent: o.userAgent,
    timeout: o.timeout,
    maxRedirects: o.maxRedirects,
    maxBytes: o.maxBytes,
    select: o.select,
    links: o.links,
    defaultScheme: o.defaultScheme,
  };
}

/** -k, --cacert, --cert/--key; an unreadable or certificate-less file is a UserError (exit 2). */
export function tlsSettings(o: Options, env: NodeJS.ProcessEnv): TlsSettings {
  const s: TlsSettings = { insecure: o.insecure };
  if (o.cacert !== undefined) s.ca = trustedRoots(o.cacert, env);
  if (o.cert !== undefined) Object.assign(s, clientCertificate(o.cert, o.key));
  return s;
}

/**
 * The options with --limit lowered to what the descriptor limit leaves room for, saying so in one
 * stderr line; a crawl that ran out of descriptors would only wait on them.
 */
function fitDescriptors(o: Options): Options {
  const fds = descriptorLimit();
  if (fds === undefined || fds >= descriptorsFor(o.limit)) return o;
  const limit = limitFor(fds);
  process.stderr.write(`crawl: the open-file limit (ulimit -n) is ${fds}, --limit ${o.limit} needs ${descriptorsFor(o.limit)}: running with --limit ${limit}\n`);
  return { ...o, limit };
}

/** The log before the view exists: where --log-file or stderr says. */
function setupLogTarget(o: Options): LogTarget {
  return o.logFile ? { kind: 'file', path: o.logFile } : { kind: 'stderr' };
}

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

/** Exit status per signal handled: 128 + its number, as a shell reports a process the signal killed. */
const SIGNALS = { SIGHUP: EXIT.sighup, SIGINT: EXIT.sigint, SIGTERM: EXIT.sigterm } as const;
type HandledSignal = keyof typeof SIGNALS;

/**
 * Refuses -o, --log-file or -c naming a file the run reads (a URL list, the -b cookie file, a certificate) or another
 * of them: `-o urls.txt urls.txt` would truncate the list before it is read. Checked before anything
 * is opened for writing. `-b jar -c jar` (read, then write back) is allowed, as in curl.
 */
async function checkSameFiles(o: Options): Promise<void> {
  const reads: NamedFile[] = o.inputs.filter((path) => path !== '-').map((path) => ({ what: 'input', path }));
  // `crawl -o urls.txt < urls.txt`, `crawl urls.txt >> urls.txt`: the shell's redirections count too
  // (/dev/stdin and /dev/stdout name the file itself when they are one; terminals and pipes never clash).
  if (o.inputs.length === 0 || o.inputs.includes('-')) reads.push({ what: 'stdin', path: '/dev/stdin' });
  if (o.cookie !== undefined && (await stat(o.cookie).then((s) => s.isFile(), () => false))) reads.push({ what: '-b', path: o.cookie });
  for (const [what, path] of [['--cacert', o.cacert], ['--cert', o.cert], ['--key', o.key]] as const) if (path !== undefined) reads.push({ what, path });
  const writes: NamedFile[] = [];
  writes.push(o.output !== undefined ? { what: '-o', path: o.output } : { what: 'stdout', path: '/dev/stdout' });
  if (o.logFile !== undefined) writes.push({ what: '--log-file', path: o.logFile });
  if (o.cookieJar !== undefined) writes.push({ what: '-c', path: o.cookieJar });
  const clash = await findClash({ reads, writes, allowed: [['-c', '-b']] });
  if (clash !== null) throw new UserError(clash);
}

/**
 * The -o lock, for a regular file (or one not made yet); devices and pipes (/dev/null, a FIFO) are not
 * locked. A directory where no lock file can be made (read-only, missing) gets none: opening the
 * output then says what is wrong, or the file is written without a lock.
 */
async function lockFor(path: string): Promise<Lock | undefined> {
  const regular = await stat(path).then((s) => s.isFile(), () => true);
  if (!regular) return undefined;
  try {
    return await lockOutput(path);
  } catch (err) {
    if (err instanceof LockedError) throw err;
    return undefined;
  }
}

async function checkWritableDir(path: string, what: string): Promise<void> {
  try {
    await access(dirname(resolve(path)), constants.W_OK);
  } catch {
    throw new UserError(`cannot write ${what} ${path}: its directory does not exist or is not writable`);
  }
}

/** What the set-up made ready: the files are checked and opened, the jar loaded. */
interface Prepared {
  jar: Jar;
  tls: TlsSettings;
  out?: WriteStream;
  lock?: Lock;
  done?: Done;
}

/**
 * Everything that can fail before the crawl starts, in an order that writes nothing until every
 * file the run reads is known to be safe: inputs, same-file clashes, certificates, selectors, the -b
 * jar, the log file, the -o lock and --resume, then the output itself.
 */
async function prepare(options: Options, resume: boolean): Promise<Prepared> {
  const p: Prepared = { jar: new Jar(), tls: { insecure: options.insecure } };
  try {
    await checkInputs(options.inputs);
    await checkSameFiles(options);
    p.tls = tlsSettings(options, process.env);
    await checkSelectors(options.select);
    if (options.cookie !== undefined) {
      const warning = await p.jar.load(options.cookie);
      if (warning) process.stderr.write(`crawl: warning: ${warning}\n`);
    }
    if (options.logFile) {
      const path = options.logFile;
      await checkLogFile(path).catch((err: Error) => { throw new UserError(`cannot write log file ${path}: ${err.message}`); });
    }
    if (options.output) {
      p.lock = await lockFor(options.output);
      if (resume) {
        p.done = await readDone(options.output, { dropFailed: options.retryFailed, firstInput: options.inputs[0] ?? '-' });
        const again = options.retryFailed ? `; fetching ${p.done.dropped} failed ones again` : '';
        process.stderr.write(`resuming: ${p.done.records} URLs already in ${options.output}${again}\n`);
      }
      p.out = await openOutput(options.output, resume);
    }
    // The jar is written at the end; find out now, not after the crawl, that it cannot be.
    if (options.cookieJar) await checkWritableDir(options.cookieJar, 'cookie jar');
    return p;
  } catch (err) {
    p.lock?.release();
    throw err;
  }
}

export async function run(options: Options): Promise<number> {
  // Before undici compiles llhttp (at the first connection): see src/v8/wasm-tier.ts.
  keepWasmOnLiftoff();
  const resume = options.resume || options.retryFailed;
  let prepared: Prepared;
  try {
    prepared = await prepare(options, resume);
  } catch (err) {
    // A UserError (bad input, cookie file, selector, output) is one line, exit 2; anything else a bug.
    return report(err, err instanceof UserError ? undefined : createLogger(options.logLevel, setupLogTarget(options)));
  }
  const { jar, tls, out, lock, done } = prepared;

  // A terminal on stdin with no input given looks like a hang; say what it waits for.
  if ((options.inputs.length === 0 || options.inputs.includes('-')) && process.stdin.isTTY) {
    process.stderr.write('reading URLs from stdin (end with Ctrl-D)\n');
  }
  options = fitDescriptors(options);
  const emitter = new CrawlEmitter();
  const progress = await startProgress({
    emitter,
    mode: options.progress,
    limit: options.limit,
    perHost: options.perHost,
    retries: options.retries,
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
  const ledger = new TlsLedger();
  const { dispatcher, prefetch } = createSession({ limit: options.limit, perHost: options.perHost, timeout: options.timeout, resolve: options.resolve, dnsServers: options.dnsServers, env: process.env, tls, ledger, ...(options.proxy ? { proxy: options.proxy } : {}), ...(options.noproxy !== undefined ? { noProxy: options.noproxy } : {}) });

  let crawl: Crawl | undefined;
  let outputError: unknown;
  // `crawl urls.txt` in a terminal: stdout is the screen the view draws on, so records are printed
  // through the view, whole lines above its frame, instead of being torn by the next redraw.
  const recordWrite = !out && sameTerminal() ? progress.recordWrite : null;
  const stdout: Writable = recordWrite
    ? new Writable({ decodeStrings: false, write(chunk, _encoding, done) { recordWrite(String(chunk)); done(); } })
    : process.stdout;
  const sink = new NdjsonSink(out ?? stdout, out !== undefined, (err) => {
    crawl?.abort();
    if (err.code === 'EPIPE') {
      // The reader went away (`crawl … | head -1`): nothing more can be delivered; end now, quietly.
      process.exit(EXIT.ok);
    }
    // A full disk, an I/O error: stop, keep the jar, say so. What reached the file stays, and
    // --resume cuts a torn last line and fetches the rest.
    outputError ??= new UserError(`cannot write ${out ? options.output : 'stdout'}: ${ioMessage(err)}`);
  });
  // Once the terminal is gone (SIGHUP), writing the view or the summary fails; there is no one to tell.
  process.stderr.on('error', () => undefined);
  let read = 0;
  emitter.on('read', (total) => { read = total; });
  crawl = new Crawl({ settings: crawlSettings(options), stdin: process.stdin, sink, emitter, logger, dispatcher, prefetch, jar, ledger, ...(done ? { done } : {}) });
  // Memory that does not grow with the number of hosts: see src/v8/heap.ts.
  const uncapYoung = capYoungGeneration();
  const unboundOld = boundOldGeneration();

  let signal: HandledSignal | undefined;
  let grace: NodeJS.Timeout | undefined;
  const onSignal = (sig: HandledSignal): void => {
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
  for (const sig of Object.keys(SIGNALS) as HandledSignal[]) process.on(sig, onSignal);

  // An input error (InputError, the user's) or a bug: either stops the crawl, and what was done is
  // still written out and the jar saved before it is reported.
  let crawlError: unknown;
  let result = { records: 0, failed: 0 };
  try {
    result = await crawl.run();
  } catch (err) {
    crawl.abort();
    crawlError = err;
  }
  clearTimeout(grace);
  uncapYoung();
  unboundOld();
  await sink.close();
  // The crawl is over: its idle connections go now, so the descriptors they held are free for
  // writing the jar (a crawl that ran short of descriptors would otherwise fail to save it).
  await dispatcher.destroy().catch(() => undefined);
  if (options.cookieJar) {
    try {
      await jar.save(options.cookieJar);
    } catch (err) {
      outputError ??= err;
    }
  }
  lock?.release();
  await progress.finish();
  for (const sig of Object.keys(SIGNALS) as HandledSignal[]) process.off(sig, onSignal);

  if (crawlError !== undefined) return report(crawlError, logger);
  // After a hang-up, stdout on the closed terminal fails too (EIO): that is the hang-up, not a new error.
  const hungUp = signal === 'SIGHUP' && !out && process.stdout.isTTY;
  if (outputError !== undefined && !hungUp) return report(outputError, logger);
  if (signal) {
    if (options.output) {
      const before = done?.records ?? 0;
      process.stderr.write(`interrupted: ${before + sink.written} of ${before + read} done; run the same command with --resume to finish\n`);
    }
    return SIGNALS[signal];
  }
  if (read === 0 && (done?.records ?? 0) === 0) process.stderr.write('no URLs in input\n');
  return options.fail && result.failed > 0 ? EXIT.failed : EXIT.ok;
}
