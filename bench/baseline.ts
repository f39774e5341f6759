// The bench's reference client: the same job as crawl done with bare undici and nothing else.
//   node dist/bench/baseline.js LIST --limit C --per-host P [--cheerio] [--dns-servers ADDR:PORT]
// Reads LIST line by line (bounded buffer), runs at most C requests at once and at most P per origin
// (one FIFO queue per origin, served round robin, plus a global counter), fetches with
// undici.request through one Agent({connections: P}), reads the body as text, takes <title> with a
// regex and writes {"url","ok","status","title"} per URL, batched into few stdout writes.
// --cheerio: the "plain cheerio.load()" reference instead: the default 'cheerio' entry with default
// options, title from $('title').text(), links from $('a[href]') resolved against the page URL.
// --dns-servers: names are resolved by a c-ares Resolver asking that server (A records, no cache), as
// a bare client would do it without the thread pool.
// Kept lean on purpose: no cookies, redirects, retries, charsets or URL normalization.
import { Resolver } from 'node:dns';
import { createReadStream } from 'node:fs';
import type { LookupFunction } from 'node:net';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';

interface Args {
  list: string;
  limit: number;
  perHost: number;
  cheerio: boolean;
  dnsServers: string[];
}

function usage(message: string): never {
  process.stderr.write(`baseline: ${message}\nusage: node dist/bench/baseline.js LIST --limit C --per-host P [--cheerio]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  let list: string | undefined;
  let limit = 64;
  let perHost = 16;
  let cheerio = false;
  let dnsServers: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--limit' || a === '--per-host') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) usage(`${a} needs a positive integer`);
      if (a === '--limit') limit = n;
      else perHost = n;
    } else if (a === '--cheerio') cheerio = true;
    else if (a === '--dns-servers') dnsServers = (argv[++i] ?? '').split(',');
    else if (a !== undefined && !a.startsWith('-') && list === undefined) list = a;
    else usage(`unexpected argument ${String(a)}`);
  }
  if (list === undefined) usage('no LIST given');
  return { list, limit, perHost, cheerio, dnsServers };
}

/** A lookup through c-ares asking `servers`: A records only, no cache. */
function caresLookup(servers: string[]): LookupFunction {
  const resolver = new Resolver();
  resolver.setServers(servers);
  return (hostname, options, callback) => {
    resolver.resolve4(hostname, (err, addresses) => {
      if (err || addresses.length === 0) callback(err ?? new Error(`no address for ${hostname}`), options.all ? [] : '', 4);
      else if (options.all) callback(null, addresses.map((address) => ({ address, family: 4 })));
      else callback(null, addresses[0]!, 4);
    });
  };
}

type Extract = (url: string, html: string) => { title: string | null; links?: string[] };

const TITLE = /<title[^>]*>([^<]*)<\/title/i;

function regexTitle(_url: string, html: string): { title: string | null } {
  const m = TITLE.exec(html);
  return { title: m ? m[1]!.trim() : null };
}

async function cheerioExtract(): Promise<Extract> {
  const { load } = await import('cheerio');
  return (url, html) => {
    const $ = load(html);
    const links: string[] = [];
    $('a[href]').each((_, el) => {
      const href = $(el).attr('href');
      if (href === undefined) return;
      try {
        links.push(new URL(href, url).href);
      } catch {
        // not a URL: skipped
      }
    });
    return { title: $('title').text().trim(), links };
  };
}

interface Origin {
  queue: string[];
  head: number;
  active: number;
}

/** Most URLs read ahead of the requests; same order of size as crawl's input buffer. */
const MAX_QUEUED = 4096;
const OUT_BATCH = 64 * 1024;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const extract = args.cheerio ? await cheerioExtract() : regexTitle;
  const agent = new Agent({ connections: args.perHost, ...(args.dnsServers.length > 0 ? { connect: { lookup: caresLookup(args.dnsServers) } } : {}) });
  // Every origin ever seen, served round robin (the bench uses four).
  const origins: Origin[] = [];
  const byKey = new Map<string, Origin>();
  let next = 0;
  let active = 0;
  let queued = 0;
  let inputDone = false;
  let paused = false;

  let out = '';
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    if (out === '') return;
    const chunk = out;
    out = '';
    process.stdout.write(chunk);
  };
  const emit = (line: string): void => {
    out += line;
    if (out.length >= OUT_BATCH) flush();
    else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  const rl = createInterface({ input: createReadStream(args.list), crlfDelay: Infinity });

  const finish = (): void => {
    flush();
    void agent.close();
  };

  const pump = (): void => {
    let misses = 0;
    while (active < args.limit && queued > 0 && misses < origins.length) {
      if (next >= origins.length) next = 0;
      const o = origins[next++]!;
      if (o.active >= args.perHost || o.head >= o.queue.length) {
        misses++;
        continue;
      }
      misses = 0;
      const url = o.queue[o.head]!;
      o.queue[o.head++] = '';
      if (o.head === o.queue.length) {
        o.queue = [];
        o.head = 0;
      } else if (o.head >= 1024 && o.head * 2 >= o.queue.length) {
        o.queue = o.queue.slice(o.head);
        o.head = 0;
      }
      queued--;
      active++;
      o.active++;
      void visit(url, o);
    }
    if (paused && queued < MAX_QUEUED / 2) {
      paused = false;
      rl.resume();
    }
    if (inputDone && active === 0 && queued === 0) finish();
  };

  const visit = async (url: string, o: Origin): Promise<void> => {
    let line: string;
    try {
      const res = await request(url, { dispatcher: agent });
      const html = await res.body.text();
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      line = JSON.stringify({ url, ok, status: res.statusCode, ...extract(url, html) });
    } catch (err) {
      line = JSON.stringify({ url, ok: false, status: null, title: null, error: String(err) });
    }
    emit(line + '\n');
    active--;
    o.active--;
    pump();
  };

  rl.on('line', (raw) => {
    const url = raw.trim();
    if (url === '' || url.startsWith('#')) return;
    const end = url.indexOf('/', url.indexOf('//') + 2);
    const key = end === -1 ? url : url.slice(0, end);
    let o = byKey.get(key);
    if (o === undefined) {
      o = { queue: [], head: 0, active: 0 };
      byKey.set(key, o);
      origins.push(o);
    }
    o.queue.push(url);
    queued++;
    if (!paused && queued >= MAX_QUEUED) {
      paused = true;
      rl.pause();
    }
    pump();
  });
  rl.once('close', () => {
    inputDone = true;
    pump();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`baseline failed: ${String(err)}\n`);
  process.exit(1);
});
