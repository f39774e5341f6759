// One attempt at a URL through the shared session: follows redirects hop by hop (each hop's cookies
// count), bounded by --timeout, reads the body; and the rule for whether (and when) to try again.
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { ErrorCode, TlsInfo } from '../record.js';
import { BodyReadError, exchange, type HopTrace } from './exchange.js';
import type { Jar } from './cookies.js';
import { errorCode, errorMessage, FetchError, transientError } from './errors.js';
import { backoffMs, retryableError, retryableStatus, retryAfterMs } from './retry.js';
import type { Stopper } from './stopper.js';
import type { TlsLedger } from './tls.js';

export interface FetchSettings {
  dispatcher: Dispatcher;
  jar: Jar;
  /** -H headers (names as given). */
  headers: [string, string][];
  userAgent: string;
  timeout: number;
  maxRedirects: number;
  maxBytes: number;
  /** Decoded bytes to keep for extraction. */
  keepBytes: number;
  /** Aborts every request when the crawl is stopped. */
  stop: Stopper;
  /** The TLS facts of https origins (the dispatcher's connector writes them). */
  ledger?: TlsLedger;
}

export interface FetchedResponse {
  status: number;
  finalUrl: string;
  redirects: number;
  contentType: string | null;
  body: Buffer;
  bytes: number;
  truncated: boolean;
  /** The final response came over https: the connection's TLS version and verification. */
  tls?: TlsInfo;
  /** The remote address of the connection the final response came on. */
  ip?: string;
}

export type FetchOutcome =
  | { kind: 'response'; response: FetchedResponse; attempts: number }
  | { kind: 'error'; code: ErrorCode; message: string; attempts: number; at: ChainPosition; response?: Omit<FetchedResponse, 'body'>; ip?: string };

const REDIRECT = new Set([301, 302, 303, 307, 308]);

function isRedirect(status: number, headers: IncomingHttpHeaders): boolean {
  return REDIRECT.has(status) && headers.location !== undefined;
}
/** Headers from -H that must not follow a redirect to another origin. */
const CREDENTIALS = new Set(['authorization', 'cookie', 'proxy-authorization']);

interface FixedHeaders {
  /** Headers for a hop on the starting origin, and for one that left it (credentials dropped). */
  same: Record<string, string>;
  cross: Record<string, string>;
  /** A -H Cookie value, sent on the starting origin only. */
  cookie: string;
}

/** The part of the request headers that is the same for every request, computed once per crawl. */
const fixedHeaders = new WeakMap<FetchSettings, FixedHeaders>();

function fixed(s: FetchSettings): FixedHeaders {
  let f = fixedHeaders.get(s);
  if (f) return f;
  const base: Record<string, string> = {
    'user-agent': s.userAgent,
    accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
    'accept-encoding': 'gzip, deflate, br',
  };
  f = { same: { ...base }, cross: { ...base }, cookie: '' };
  for (const [name, value] of s.headers) {
    const lower = name.toLowerCase();
    if (lower === 'cookie') f.cookie = value;
    else {
      f.same[lower] = value;
      if (!CREDENTIALS.has(lower)) f.cross[lower] = value;
    }
  }
  fixedHeaders.set(s, f);
  return f;
}

/**
 * The request headers for a hop to `href`: the fixed ones (shared, never mutated) plus cookies, and on
 * the starting origin the Basic credentials of the URL's user:password (`auth`, '' for none) unless
 * -H gave an Authorization of its own.
 */
function buildHeaders(s: FetchSettings, href: string, sameOrigin: boolean, auth: string): Record<string, string> {
  const f = fixed(s);
  const given = sameOrigin ? f.cookie : '';
  const fromJar = s.jar.header(href);
  const cookie = given && fromJar ? `${given}; ${fromJar}` : given || fromJar;
  const h = sameOrigin ? f.same : f.cross;
  const authorization = sameOrigin && auth && h.authorization === undefined ? auth : '';
  if (!cookie && !authorization) return h;
  const out = { ...h };
  if (cookie) out.cookie = cookie;
  if (authorization) out.authorization = authorization;
  return out;
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The URL's user:password as a Basic Authorization value, as curl sends it; '' when it has none. */
function basicAuth(url: URL): string {
  if (url.username === '' && url.password === '') return '';
  return `Basic ${Buffer.from(`${decoded(url.username)}:${decoded(url.password)}`).toString('base64')}`;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * A Location header as browsers read it. undici hands header values over as Latin-1 (one char per
 * byte); a server that writes `/café` in UTF-8 sends the bytes C3 A9, which must become "é" (and then
 * %C3%A9 in the URL), not "Ã©". Bytes that are not valid UTF-8 stay Latin-1.
 */
export function locationText(raw: string): string {
  if (!NON_ASCII.test(raw)) return raw;
  try {
    return UTF8.decode(Buffer.from(raw, 'latin1'));
  } catch {
    return raw;
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** What the connector noted about the TLS connection to an https origin. */
function tlsOf(s: FetchSettings, origin: string): TlsInfo | undefined {
  return s.ledger && origin.startsWith('https:') ? s.ledger.get(origin) : undefined;
}

export type Attempt =
  | { kind: 'response'; response: FetchedResponse; retryAfter?: number }
  | { kind: 'error'; code: ErrorCode; message: string; at: ChainPosition; response?: Omit<FetchedResponse, 'body'>; transient?: true; ip?: string };

/** How far a redirect chain got: the URL of the hop being fetched and the hops before it. */
export interface ChainPosition {
  finalUrl: string;
  redirects: number;
}

/**
 * The request target of an http(s) URL (its path and query) and the Basic credentials of its
 * user:password. When the origin prefixes the href, as for every URL without credentials, the path
 * is the rest of the href and there is nothing to parse.
 */
function target(href: string, origin: string): { path: string; auth: string } {
  if (href.startsWith(origin) && href.charCodeAt(origin.length) === 47 /* / */) return { path: href.slice(origin.length), auth: '' };
  const u = new URL(href);
  return { path: u.pathname + u.search, auth: basicAuth(u) };
}

/**
 * One attempt: the whole redirect chain and the final body, within one timeout. `startHref` is a
 * normalized http(s) URL without fragment and `startOrigin` its origin; the URL is parsed again only
 * to follow a redirect.
 */
export async function attempt(startHref: string, startOrigin: string, s: FetchSettings): Promise<Attempt> {
  const signal = s.stop.signal();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signal.fire();
  }, s.timeout);
  let href = startHref;
  let origin = startOrigin;
  const start = target(startHref, startOrigin);
  let path = start.path;
  let redirects = 0;
  // Each URL of the chain and the Cookie header its request sent: a URL met again is a loop only
  // when the request would be the same (a "set a cookie, redirect to yourself" check is not).
  // Made on the first redirect; most URLs have none.
  let visited: Map<string, string> | undefined;
  let firstCookie = '';
  const trace: HopTrace = {};
  try {
    for (;;) {
      trace.ip = undefined;
      const headers = buildHeaders(s, href, origin === startOrigin, start.auth);
      if (visited) visited.set(href, headers.cookie ?? '');
      else firstCookie = headers.cookie ?? '';
      const res = await exchange(
        s.dispatcher,
        {
          origin,
          path,
          headers,
          isRedirect,
          maxBytes: s.maxBytes,
          keep: s.keepBytes,
          trace,
        },
        signal,
      );
      s.jar.store(res.headers['set-cookie'], href);
      const location = header(res.headers, 'location');
      if (REDIRECT.has(res.status) && location) {
        let next: URL;
        try {
          next = new URL(locationText(location), href);
        } catch {
          throw new FetchError('EREDIRECT', `invalid redirect target "${location.slice(0, 200)}"`);
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new FetchError('EREDIRECT', `redirect to unsupported scheme ${next.protocol}`);
        }
        next.hash = '';
        visited ??= new Map([[startHref, firstCookie]]);
        const sent = visited.get(next.href);
        if (sent !== undefined && sent === (buildHeaders(s, next.href, next.origin === startOrigin, start.auth).cookie ?? '')) {
          throw new FetchError('EREDIRECT', `redirect loop at ${next.href}`);
        }
        if (redirects >= s.maxRedirects) throw new FetchError('EREDIRECT', `more than ${s.maxRedirects} redirects`);
        redirects++;
        href = next.href;
        origin = next.origin;
        path = next.pathname + next.search;
        continue;
      }
      const contentType = header(res.headers, 'content-type') ?? null;
      const response: FetchedResponse = { status: res.status, finalUrl: href, redirects, contentType, body: res.body.kept, bytes: res.body.bytes, truncated: res.body.truncated };
      const tls = tlsOf(s, origin);
      if (tls) response.tls = tls;
      if (trace.ip !== undefined) response.ip = trace.ip;
      const retryAfter = res.status === 429 || res.status === 503 ? retryAfterMs(res.headers['retry-after']) : undefined;
      return retryAfter === undefined ? { kind: 'response', response } : { kind: 'response', response, retryAfter };
    }
  } catch (err) {
    const at = { finalUrl: href, redirects };
    if (err instanceof BodyReadError) {
      // Headers came, then the body failed: a response with what it had (its cookies count too).
      s.jar.store(err.headers['set-cookie'], href);
      const code = timedOut ? 'ETIMEDOUT' : errorCode(err);
      const message = timedOut ? `timed out after ${s.timeout} ms reading the body` : errorMessage(err);
      const contentType = header(err.headers, 'content-type') ?? null;
      const response: Omit<FetchedResponse, 'body'> = { status: err.status, finalUrl: href, redirects, contentType, bytes: err.bytes, truncated: false };
      const tls = tlsOf(s, origin);
      if (tls) response.tls = tls;
      if (trace.ip !== undefined) response.ip = trace.ip;
      return { kind: 'error', code: code === 'EUNKNOWN' ? 'EBODY' : code, message, at, response };
    }
    let failed: Extract<Attempt, { kind: 'error' }>;
    if (timedOut) failed = { kind: 'error', code: 'ETIMEDOUT', message: `timed out after ${s.timeout} ms`, at };
    else {
      const code = errorCode(err);
      const alert = code === 'ECONNRESET' && origin.startsWith('https:') ? s.ledger?.failure(origin) : undefined;
      failed = alert ? { kind: 'error', code: alert.code, message: alert.message, at } : { kind: 'error', code, message: errorMessage(err), at };
      if (!alert && transientError(err)) failed.transient = true;
    }
    if (trace.ip !== undefined) failed.ip = trace.ip; // connected, then failed before a response
    return failed;
  } finally {
    clearTimeout(timer);
    s.stop.release(signal);
  }
}

/**
 * Milliseconds to wait before trying again after attempt number `attempts`, or undefined when
 * `a` is final: a success, a failure not worth retrying, or the last of --retries.
 */
export function retryDelay(a: Attempt, attempts: number, retries: number): number | undefined {
  if (attempts > retries) return undefined;
  if (a.kind === 'response') return retryableStatus(a.response.status) ? (a.retryAfter ?? backoffMs(attempts)) : undefined;
  return retryableError(a.code) || a.transient ? backoffMs(attempts) : undefined;
}

/** The outcome of the attempt that is final. */
export function outcomeOf(a: Attempt, attempts: number): FetchOutcome {
  if (a.kind === 'response') return { kind: 'response', response: a.response, attempts };
  const { transient: _, ...failure } = a;
  return { ...failure, attempts };
}
