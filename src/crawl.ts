// The crawl: input lines → normalized, de-duplicated URLs → host-fair scheduler → fetch → extract →
// record → sink. It emits events for whoever watches and knows nothing of terminals or exit codes.
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { CrawlEmitter } from './events.js';
import { loadDomExtractor, type DomExtractor, type SelectRule } from './extract/dom.js';
import { buildRecord } from './extract/build.js';
import type { Jar } from './fetch/cookies.js';
import type { TlsLedger } from './fetch/tls.js';
import { attempt, outcomeOf, retryDelay, type FetchSettings } from './fetch/fetch.js';
import { Stopper } from './fetch/stopper.js';
import { readInputs } from './input/lines.js';
import { normalizeUrl, type DefaultScheme } from './input/normalize.js';
import { SeenSet } from './input/seen.js';
import type { Logger } from './log.js';
import type { Done } from './output/resume.js';
import type { RecordSink } from './output/sink.js';
import type { CrawlRecord } from './record.js';
import { Scheduler } from './schedule/scheduler.js';

/** One URL's way through the scheduler; small, because thousands wait in backlogs at once. */
interface Job {
  href: string;
  origin: string;
  attempts: number;
  /** performance.now() of the first attempt; 0 until then. */
  started: number;
}

/** What a crawl reads of the run's options; the CLI builds it from Options. */
export interface CrawlSettings {
  /** Input files, read in order; `-` (or none) is `stdin`. */
  inputs: string[];
  /** Most requests in flight over all hosts. */
  limit: number;
  /** Most requests in flight to one origin. */
  perHost: number;
  /** Most requests started per second per origin; 0 is unlimited. */
  rate: number;
  /** Retries after a retryable failure. */
  retries: number;
  /** Extra request headers, in order. */
  headers: [string, string][];
  userAgent: string;
  /** Bound on one attempt, in ms. */
  timeout: number;
  maxRedirects: number;
  /** Most decoded body bytes read per page. */
  maxBytes: number;
  select: SelectRule[];
  links: boolean;
  /** The scheme for input lines that are a bare host; none: those are EINVALIDURL with a hint. */
  defaultScheme?: DefaultScheme | undefined;
}

export interface CrawlDeps {
  settings: CrawlSettings;
  stdin: Readable;
  sink: RecordSink;
  emitter: CrawlEmitter;
  logger: Logger;
  dispatcher: Dispatcher;
  /** Starts resolving a queued URL's host, so DNS does not hold a slot when its turn comes. */
  prefetch?: (url: URL) => void;
  jar: Jar;
  /** The dispatcher's notes on each https origin's TLS, for the records' `tls` field. */
  ledger?: TlsLedger;
  done?: Done;
}

export interface CrawlResult {
  records: number;
  failed: number;
}

/**
 * URLs read ahead of the crawl: how far the scheduler can look past a busy host for one that is ready.
 * Eight per global slot is ample for lists where hosts are mixed (a list sorted by host cannot be
 * helped by any bounded look-ahead). Kept short because a waiting URL that outlives two young-gen
 * collections is promoted and lingers in the old generation: 2048 cost ~15 MB more peak RSS over
 * 200k URLs than 512 (bench memory scenario).
 */
function pendingLimit(limit: number): number {
  return Math.max(512, limit * 8);
}

/** URLs handed to the scheduler between two turns of the event loop while reading input. */
const YIELD_EVERY = 64;

/** Bytes kept for extraction when only the title is wanted: titles live in the head. */
const TITLE_KEEP_BYTES = 256 * 1024;

export class Crawl {
  private readonly scheduler: Scheduler<Job>;
  private readonly stopper = new Stopper();
  /** Ends input reading on stop, also while it waits on a pipe or terminal that stays open. */
  private readonly inputCtl = new AbortController();
  private readonly seen = new SeenSet();
  private readonly settings: FetchSettings;
  private dom: DomExtractor | null = null;
  private stopping = false;
  private records = 0;
  private failed = 0;

  constructor(private readonly deps: CrawlDeps) {
    const o = deps.settings;
    this.scheduler = new Scheduler({ limit: o.limit, perHost: o.perHost, rate: o.rate, maxPending: pendingLimit(o.limit), run: (job) => this.visit(job) });
    const wantDom = o.select.length > 0 || o.links;
    this.settings = {
      dispatcher: deps.dispatcher,
      jar: deps.jar,
      headers: o.headers,
      userAgent: o.userAgent,
      timeout: o.timeout,
      maxRedirects: o.maxRedirects,
      maxBytes: o.maxBytes,
      keepBytes: wantDom ? o.maxBytes : Math.min(TITLE_KEEP_BYTES, o.maxBytes),
      stop: this.stopper,
      ...(deps.ledger ? { ledger: deps.ledger } : {}),
    };
  }

  /** Reads the whole input and resolves once every record is handed to the sink (or the crawl was stopped). */
  async run(): Promise<CrawlResult> {
    const o = this.deps.settings;
    if (o.select.length > 0 || o.links) this.dom = await loadDomExtractor(o.select, o.links);
    const { emitter } = this.deps;
    let total = 0;
    let sinceYield = 0;
    reading: for await (const batch of readInputs(o.inputs, this.deps.stdin, this.inputCtl.signal)) {
      for (const line of batch) {
        if (this.stopping) break reading;
        const n = normalizeUrl(line.text, o.defaultScheme);
        if (!n.ok) {
          if (this.deps.done?.hasInvalid(line.source, line.line)) continue;
          emitter.emit('read', ++total);
          const full = this.emit(null, { url: line.text, ok: false, status: null, finalUrl: null, redirects: 0, error: { code: 'EINVALIDURL', message: `line ${line.line}: ${n.reason}` }, line: line.line, input: line.source });
          if (full) await full;
          continue;
        }
        if (!this.seen.add(n.href) || this.deps.done?.urls.has(n.href)) continue;
        emitter.emit('read', ++total);
        // Awaited only when the scheduler is full: most URLs pass without a microtask.
        const room = this.scheduler.room();
        if (room) await room;
        if (this.stopping) break reading;
        const origin = n.url.origin;
        emitter.emit('queued', origin);
        this.scheduler.add(origin, { href: n.href, origin, attempts: 1, started: 0 });
        this.deps.prefetch?.(n.url);
        // A read chunk holds a thousand lines or more; give the network a turn every few dozen URLs
        // so connections open and the first requests go out while the rest of the batch is parsed.
        if (++sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    }
    if (!this.stopping) emitter.emit('inputEnd', total);
    await this.scheduler.idle();
    return { records: this.records, failed: this.failed };
  }

  /** Stops taking input and drops queued URLs; requests in flight go on until `abort`. */
  stop(): void {
    this.stopping = true;
    this.inputCtl.abort();
    this.scheduler.stop();
  }

  /** Aborts requests in flight; they end without a record, so --resume fetches them again. */
  abort(): void {
    this.stop();
    this.stopper.abort();
  }

  /** One attempt; a retry goes back through the scheduler, so it waits without a slot and obeys --rate. */
  private async visit(job: Job): Promise<void> {
    const { emitter, logger } = this.deps;
    const { href, origin } = job;
    if (job.started === 0) job.started = performance.now();
    emitter.emit('start', origin, href);
    const a = await attempt(href, origin, this.settings);
    if (this.stopper.aborted) return; // aborted mid-request: no record, so --resume fetches it again
    const delay = retryDelay(a, job.attempts, this.deps.settings.retries);
    if (delay !== undefined) {
      if (logger.isLevelEnabled('debug')) logger.debug({ url: href, attempt: job.attempts, delay }, 'retrying');
      emitter.emit('retry', origin, href);
      job.attempts++;
      this.scheduler.later(origin, delay, job);
      return;
    }
    const record = buildRecord(href, outcomeOf(a, job.attempts), this.dom, Math.round(performance.now() - job.started));
    if (!record.ok && logger.isLevelEnabled('debug')) logger.debug({ url: href, error: record.error }, 'failed');
    const full = this.emit(origin, record);
    if (full) await full; // the sink is full: hold the slot until stdout drains (back-pressure)
  }

  private emit(origin: string | null, record: CrawlRecord): Promise<void> | undefined {
    this.records++;
    if (!record.ok) this.failed++;
    this.deps.emitter.emit('done', origin, record);
    return this.deps.sink.write(record);
  }
}
