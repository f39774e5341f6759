// Host names to addresses for the connector, without libuv's thread pool. dns.lookup is getaddrinfo on
// that pool (four threads, shared with file I/O and zlib), so a crawl of many hosts would resolve a
// few names per DNS round trip whatever --limit says. Names go to c-ares (node:dns Resolver) instead:
// A and AAAA asked at once, as many names in flight as the crawl starts, one look-up per name however
// many connections wait for it, answers kept in a bounded LRU for their TTL (capped), NXDOMAIN kept
// briefly. Names the system resolves without DNS (localhost, /etc/hosts, single labels that the
// search list completes) and IP literals keep going through getaddrinfo, so they resolve exactly as
// before.
import { lookup as systemLookup, Resolver, type LookupAddress, type LookupOptions, type RecordWithTtl } from 'node:dns';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { isIP, type LookupFunction } from 'node:net';

export interface DnsOptions {
  /** DNS servers (`addr`, `addr:port`, `[v6addr]:port`) instead of /etc/resolv.conf's (--dns-servers). */
  servers?: string[];
  /** Most names kept; least recently used go first. @default 10000 */
  maxNames?: number;
  /** Longest an answer is kept, whatever its TTL says. @default 300000 */
  maxTtlMs?: number;
  /** Shortest an answer is kept, so a TTL of 0 does not make a query per connection. @default 1000 */
  minTtlMs?: number;
  /** How long "no such name" is kept. @default 30000 */
  negativeTtlMs?: number;
  /** Bound on one look-up, all of c-ares' tries included; past it the look-up fails with ETIMEDOUT. @default 5000 */
  timeoutMs?: number;
  /** The hosts file whose names go to getaddrinfo. @default /etc/hosts */
  hostsFile?: string;
  /** Most look-ups started by `prefetch` in flight at once. @default 64 */
  prefetchInFlight?: number;
  /** Called when a look-up found no descriptor free, to free one (the session closes an idle connection). */
  freeDescriptor?: () => void;
  /** Clock, for tests. */
  now?: () => number;
}

/** A look-up failure, with the code errors.ts maps to the record's. */
export class DnsError extends Error {
  constructor(
    /** ENOTFOUND: no such name or no address; ETIMEDOUT: no answer in time; ESERVFAIL: the server failed (worth retrying). */
    readonly code: 'ENOTFOUND' | 'ETIMEDOUT' | 'ESERVFAIL',
    message: string,
    readonly hostname: string,
  ) {
    super(message);
  }
}

type Entry = { addresses: LookupAddress[]; expires: number } | { error: DnsError; expires: number };
type Waiter = (entry: Entry) => void;

/** Names waiting for a prefetch past this many are not prefetched (their connection resolves them). */
const PREFETCH_QUEUE_MAX = 8_192;

/** The RFC 8305 "resolution delay": once one family has answered, how long to wait for the other. */
const OTHER_FAMILY_MS = 50;

/** Names in a hosts file (lower case). An unreadable file gives none. */
export function hostsFileNames(path: string): Set<string> {
  const names = new Set<string>();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return names;
  }
  for (const line of text.split('\n')) {
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    for (const name of fields.slice(1)) if (name) names.add(name.toLowerCase().replace(/\.$/, ''));
  }
  return names;
}

/** First wait before asking again after ECONNREFUSED, doubled up to the max on each refusal. */
const REFUSED_WAIT_MS = 25;
const REFUSED_WAIT_MAX_MS = 400;

type SystemCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family: number) => void;

/** Whether the process (or the system) has no descriptor left to open, tried with /dev/null. */
function outOfDescriptors(): boolean {
  try {
    closeSync(openSync('/dev/null', 'r'));
    return false;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EMFILE' || code === 'ENFILE';
  }
}

/** c-ares' error codes that mean the name has no address. */
const NO_ADDRESS = new Set(['ENOTFOUND', 'ENODATA', 'ENONAME', 'EBADNAME', 'EBADRESP', 'EFORMERR', 'ENOTIMP']);
/** ...and the ones that mean no answer came. */
const NO_ANSWER = new Set(['ETIMEOUT', 'ECONNREFUSED', 'ECANCELLED', 'EDESTRUCTION']);

type FamilyResult = { addresses: LookupAddress[]; ttlMs: number } | { code: string };

export class DnsCache {
  private readonly resolver: Resolver;
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Waiter[]>();
  private readonly systemNames: Set<string>;
  private readonly maxNames: number;
  private readonly maxTtlMs: number;
  private readonly minTtlMs: number;
  private readonly negativeTtlMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly freeDescriptor: () => void;
  /** Names to resolve before a connection needs them, in the order the crawl will need them. */
  private ahead: string[] = [];
  private aheadHead = 0;
  private aheadInFlight = 0;
  private readonly maxAheadInFlight: number;
  private closed = false;
  /** Look-ups sent to c-ares (one per name, both families), for tests and the bench. */
  queries = 0;

  constructor(opts: DnsOptions = {}) {
    this.maxNames = opts.maxNames ?? 10_000;
    this.maxTtlMs = opts.maxTtlMs ?? 300_000;
    this.minTtlMs = opts.minTtlMs ?? 1_000;
    this.negativeTtlMs = opts.negativeTtlMs ?? 30_000;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.now = opts.now ?? Date.now;
    this.freeDescriptor = opts.freeDescriptor ?? (() => undefined);
    this.maxAheadInFlight = Math.max(1, opts.prefetchInFlight ?? 64);
    // c-ares doubles its timeout on each try: 1.5 s + 3 s fits the 5 s bound, which catches the rest.
    this.resolver = new Resolver({ timeout: Math.max(100, Math.round(this.timeoutMs * 0.3)), tries: 2 });
    if (opts.servers && opts.servers.length > 0) this.resolver.setServers(opts.servers);
    this.systemNames = hostsFileNames(opts.hostsFile ?? '/etc/hosts');
  }

  /** Names in the cache (answers and negative entries), for tests. */
  get size(): number {
    return this.entries.size;
  }

  /** net's `lookup` option: same contract as dns.lookup (one address, or all with `options.all`). */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const name = hostname.toLowerCase().replace(/\.$/, '');
    if (isIP(name) !== 0 || this.isSystemName(name)) {
      this.systemLookup(hostname, name, options, callback as SystemCallback);
      return;
    }
    this.resolve(name, (entry) => {
      if ('error' in entry) {
        const err = Object.assign(entry.error, { hostname }) as DnsError & NodeJS.ErrnoException;
        callback(err, options.all ? [] : '', 0);
        return;
      }
      deliver(entry.addresses, options, callback);
    });
  };

  /**
   * Resolves `hostname` in the background, so the connection that needs it later finds the answer
   * cached instead of holding a crawl slot for a DNS round trip. Names go in a bounded queue, at
   * most `prefetchInFlight` of them asked at once; names the cache knows or is already asking, IP
   * literals and names getaddrinfo resolves (those stay on its path) are skipped.
   */
  prefetch(hostname: string): void {
    if (this.closed || this.ahead.length - this.aheadHead >= PREFETCH_QUEUE_MAX) return;
    const name = hostname.toLowerCase().replace(/\.$/, '');
    if (isIP(name) !== 0 || name.startsWith('[') || this.isSystemName(name) || this.known(name)) return;
    this.ahead.push(name);
    this.pumpAhead();
  }

  private pumpAhead(): void {
    while (!this.closed && this.aheadInFlight < this.maxAheadInFlight && this.aheadHead < this.ahead.length) {
      const name = this.ahead[this.aheadHead++]!;
      if (this.known(name)) continue;
      this.aheadInFlight++;
      this.resolve(name, () => {
        this.aheadInFlight--;
        this.pumpAhead();
      });
    }
    if (this.aheadHead === this.ahead.length) {
      this.ahead = [];
      this.aheadHead = 0;
    } else if (this.aheadHead > 1_024 && this.aheadHead * 2 > this.ahead.length) {
      this.ahead = this.ahead.slice(this.aheadHead);
      this.aheadHead = 0;
    }
  }

  /** Whether `name` has an answer that has not expired, or a look-up in flight. */
  private known(name: string): boolean {
    if (this.inFlight.has(name)) return true;
    const cached = this.entries.get(name);
    return cached !== undefined && cached.expires > this.now();
  }

  /**
   * getaddrinfo, asked again (within the look-up bound) when it failed for want of a descriptor:
   * glibc cannot open /etc/hosts then and says the name is not found, even `localhost`. A name the
   * hosts file gives is asked again on any failure; another only while no descriptor is free.
   */
  private systemLookup(hostname: string, name: string, options: LookupOptions, callback: SystemCallback): void {
    const until = this.now() + this.timeoutMs;
    const known = name === 'localhost' || this.systemNames.has(name);
    const ask = (waitMs: number): void => {
      systemLookup(hostname, options, (err, address, family) => {
        const short = err !== null && this.shortOfDescriptors();
        if (err !== null && (known || short) && this.now() + waitMs < until) {
          setTimeout(() => ask(Math.min(waitMs * 2, REFUSED_WAIT_MAX_MS)), waitMs);
          return;
        }
        callback(err, address, family);
      });
    };
    ask(REFUSED_WAIT_MS);
  }

  /** Whether no descriptor is free now; if so, asks the session to free one. */
  private shortOfDescriptors(): boolean {
    if (!outOfDescriptors()) return false;
    this.freeDescriptor();
    return true;
  }

  /** Names that getaddrinfo resolves without (or before) DNS. */
  private isSystemName(name: string): boolean {
    return name === 'localhost' || name.endsWith('.localhost') || !name.includes('.') || this.systemNames.has(name);
  }

  private resolve(name: string, done: Waiter): void {
    const cached = this.entries.get(name);
    if (cached !== undefined) {
      if (cached.expires > this.now()) {
        this.entries.delete(name); // to the young end of the LRU
        this.entries.set(name, cached);
        done(cached);
        return;
      }
      this.entries.delete(name);
    }
    const waiting = this.inFlight.get(name);
    if (waiting !== undefined) {
      waiting.push(done);
      return;
    }
    this.inFlight.set(name, [done]);
    this.query(name);
  }

  private query(name: string): void {
    this.queries++;
    const results: (FamilyResult | undefined)[] = [undefined, undefined];
    let finished = false;
    let grace: NodeJS.Timeout | undefined;
    const bound = setTimeout(() => finish(), this.timeoutMs);
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(bound);
      if (grace !== undefined) clearTimeout(grace);
      this.settle(name, this.entryFor(name, results));
    };
    const onFamily = (i: 0 | 1, result: FamilyResult): void => {
      results[i] = result;
      if (results[0] !== undefined && results[1] !== undefined) finish();
      else if ('addresses' in result && result.addresses.length > 0 && grace === undefined) grace = setTimeout(finish, OTHER_FAMILY_MS);
    };
    const ask = (i: 0 | 1, family: 4 | 6, waitMs: number): void => {
      const collect = (err: NodeJS.ErrnoException | null, records: RecordWithTtl[]): void => {
        if (finished) return;
        // c-ares says ECONNREFUSED at once when it cannot open its socket (out of descriptors) as
        // well as when the server refused: ask again shortly, within the bound, rather than fail.
        if (err?.code === 'ECONNREFUSED') {
          this.shortOfDescriptors();
          setTimeout(() => finished || ask(i, family, Math.min(waitMs * 2, REFUSED_WAIT_MAX_MS)), waitMs);
          return;
        }
        if (err) onFamily(i, { code: err.code ?? 'EUNKNOWN' });
        else
          onFamily(i, {
            addresses: records.map((r) => ({ address: r.address, family })),
            ttlMs: Math.min(...records.map((r) => r.ttl * 1000)),
          });
      };
      if (family === 4) this.resolver.resolve4(name, { ttl: true }, collect);
      else this.resolver.resolve6(name, { ttl: true }, collect);
    };
    ask(0, 4, REFUSED_WAIT_MS);
    ask(1, 6, REFUSED_WAIT_MS);
  }

  /** The cache entry for what the two families gave (missing ones did not answer in time). */
  private entryFor(name: string, results: (FamilyResult | undefined)[]): Entry {
    const now = this.now();
    const addresses: LookupAddress[] = [];
    let ttlMs = Infinity;
    for (const r of results) {
      if (r !== undefined && 'addresses' in r && r.addresses.length > 0) {
        addresses.push(...r.addresses);
        ttlMs = Math.min(ttlMs, r.ttlMs);
      }
    }
    if (addresses.length > 0) return { addresses, expires: now + Math.min(this.maxTtlMs, Math.max(this.minTtlMs, ttlMs)) };
    const codes = results.map((r) => (r === undefined ? 'ETIMEOUT' : 'code' in r ? r.code : 'ENODATA'));
    if (codes.every((c) => NO_ADDRESS.has(c))) {
      const message = codes.includes('ENOTFOUND') ? `no such host "${name}" (NXDOMAIN)` : `"${name}" has no address`;
      return { error: new DnsError('ENOTFOUND', message, name), expires: now + this.negativeTtlMs };
    }
    // Not cached: the next connection asks again.
    if (codes.some((c) => NO_ANSWER.has(c))) return { error: new DnsError('ETIMEDOUT', `no DNS answer for "${name}" in time`, name), expires: 0 };
    const failure = codes.find((c) => !NO_ADDRESS.has(c))!.replace(/^E/, '');
    return { error: new DnsError('ESERVFAIL', `DNS server failure for "${name}" (${failure})`, name), expires: 0 };
  }

  private settle(name: string, entry: Entry): void {
    const waiters = this.inFlight.get(name) ?? [];
    this.inFlight.delete(name);
    if (entry.expires > this.now()) {
      this.entries.set(name, entry);
      if (this.entries.size > this.maxNames) this.entries.delete(this.entries.keys().next().value!);
    }
    for (const w of waiters) w(entry);
  }

  /** Stops every look-up in flight (their connections fail) and forgets the cache. */
  close(): void {
    this.closed = true;
    this.ahead = [];
    this.aheadHead = 0;
    this.resolver.cancel();
    this.entries.clear();
  }
}

function deliver(addresses: LookupAddress[], options: LookupOptions, callback: Parameters<LookupFunction>[2]): void {
  const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
  const usable = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
  if (usable.length === 0) {
    const err = Object.assign(new DnsError('ENOTFOUND', `no IPv${family} address`, ''), {}) as DnsError & NodeJS.ErrnoException;
    callback(err, options.all ? [] : '', 0);
    return;
  }
  if (options.all) callback(null, usable);
  else callback(null, usable[0]!.address, usable[0]!.family);
}
