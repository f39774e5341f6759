// Resolving a page's hrefs to absolute http(s) URLs, fragment dropped, de-duplicated. Most hrefs on
// real pages are paths (root-relative "/a/b?c=d", relative "../x.html", "page.html#s") or plain
// absolute http(s) URLs, which WHATWG resolution turns into a string any JS can build: the path
// copied after the base's origin (or directory), dot segments removed. Those skip the URL parser
// (~2 µs each, hundreds per page with --links). Anything else, or any href with a character the
// parser would escape, a backslash, a percent-encoded dot, a port, an IP or non-ASCII host, goes
// through `new URL`, so the output is exactly what the parser gives (test/links.test.ts fuzzes it).

/**
 * Characters neither the path nor the (special-scheme) query percent-encode set touches: no space,
 * quote, apostrophe, "<", ">", "`", "{", "}", "^", "|", "\\", "#", control or non-ASCII character.
 */
const VERBATIM_CHARS = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~!$&()*+,;=:@/%?.') VERBATIM_CHARS[c.charCodeAt(0)] = 1;
const PCT_DOT = /%2e/i;

/**
 * The length of the part of `raw` before its "#" (all of it without one) when that part is all
 * verbatim characters, else -1; with 2^30 added when it holds a "%". One pass, no regex: this runs
 * for every link.
 */
function verbatimPart(raw: string): number {
  let pct = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 35 /* # */) return i | pct;
    if (c > 127 || VERBATIM_CHARS[c] === 0) return -1;
    if (c === 37 /* % */) pct = 1 << 30;
  }
  return raw.length | pct;
}
/** A scheme before ":" (an href like "mailto:x" or "a:b" is absolute, not a relative path). */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** A "." or ".." segment in a path. */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;
/**
 * `http(s)://host[/path-and-query]` (after `//` for a scheme-relative href): lower-case ASCII labels,
 * no port, no credentials. A last label that is a number (or 0x…) makes the parser read an IPv4
 * address, and "xn--" labels are checked as punycode: both go to the parser (any last label that
 * starts with a digit does).
 */
const PLAIN_HOST = /^([a-z0-9-]+(?:\.[a-z0-9-]+)*)(?=[/?]|$)/;

function parse(raw: string, base?: string | URL): URL | undefined {
  try {
    return new URL(raw, base);
  } catch {
    return undefined;
  }
}

/** The base hrefs resolve against: `<base href>` (itself resolved against the page) or the page. */
export function linkBase(pageUrl: string, baseHref: string | undefined): URL | undefined {
  return (baseHref ? parse(baseHref, pageUrl) : undefined) ?? parse(pageUrl);
}

/** `path` (starting with "/") with "." and ".." segments removed as the URL parser removes them. */
function removeDots(path: string): string {
  // A stack of segment start offsets in `out`; segments are appended as "/seg".
  let out = '';
  const starts: number[] = [];
  let i = 1;
  const n = path.length;
  for (;;) {
    let j = path.indexOf('/', i);
    if (j === -1) j = n;
    const len = j - i;
    const last = j === n;
    if (len === 2 && path.charCodeAt(i) === 46 && path.charCodeAt(i + 1) === 46) {
      const top = starts.pop();
      if (top !== undefined) out = out.slice(0, top);
      if (last) out += '/';
    } else if (len === 1 && path.charCodeAt(i) === 46) {
      if (last) out += '/';
    } else {
      starts.push(out.length);
      out += '/' + path.slice(i, j);
    }
    if (last) break;
    i = j + 1;
  }
  return out === '' ? '/' : out;
}

/** path?query with its dot segments removed from the path part. */
function normalized(pathAndQuery: string): string {
  if (!pathAndQuery.includes('/.')) return pathAndQuery; // no dot segment anywhere: the common case
  const q = pathAndQuery.indexOf('?');
  const path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
  if (!path.includes('/.') || !DOT_SEGMENT.test(path)) return pathAndQuery;
  return removeDots(path) + (q === -1 ? '' : pathAndQuery.slice(q));
}

/** fast()'s answer for an href whose scheme is not http(s): no link. */
const NOT_WEB = '\0';

/** What resolving against one base needs, computed once per page. */
class Resolver {
  /** scheme://host[:port] when the base serializes as that (http(s), no credentials), else undefined. */
  private readonly prefix: string | undefined;
  private readonly scheme: string;
  private readonly path: string;
  private readonly dir: string;
  private readonly self: string;

  constructor(private readonly base: URL) {
    const web = base.protocol === 'http:' || base.protocol === 'https:';
    this.prefix = web && base.username === '' && base.password === '' ? base.origin : undefined;
    this.scheme = base.protocol;
    this.path = base.pathname;
    this.dir = base.pathname.slice(0, base.pathname.lastIndexOf('/') + 1);
    this.self = (this.prefix ?? '') + base.pathname + base.search;
  }

  /** The absolute URL for `raw` (trimmed), fragment dropped; undefined when it is not http(s) or not a URL. */
  resolve(raw: string): string | undefined {
    const v = verbatimPart(raw);
    const len = v & ((1 << 30) - 1);
    if (v !== -1) {
      const s = len === raw.length ? raw : raw.slice(0, len);
      if (v < 1 << 30 || !PCT_DOT.test(s)) {
        const fast = this.fast(s);
        if (fast === NOT_WEB) return undefined;
        if (fast !== undefined) return fast;
      }
    }
    const u = parse(raw, this.base);
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) return undefined;
    if (raw.includes('#')) u.hash = '';
    return u.href;
  }

  /** The resolution of a verbatim-character href without fragment, or undefined to ask the parser. */
  private fast(s: string): string | undefined {
    const c0 = s.charCodeAt(0);
    if (c0 === 47 /* / */) {
      if (s.charCodeAt(1) === 47) return this.web(this.scheme, s.slice(2));
      return this.prefix === undefined ? undefined : this.prefix + normalized(s);
    }
    if (this.prefix === undefined) return undefined;
    if (s === '') return this.self;
    if (c0 === 63 /* ? */) return this.prefix + this.path + s;
    const scheme = SCHEME.exec(s);
    if (scheme) {
      if (s.startsWith('https://')) return this.web('https:', s.slice(8));
      if (s.startsWith('http://')) return this.web('http:', s.slice(7));
      // mailto:, javascript:, ftp: … are never http(s): no need to parse them (http: and https:
      // in another form may be relative, so those go to the parser).
      const name = scheme[0].toLowerCase();
      return name === 'http:' || name === 'https:' ? undefined : NOT_WEB;
    }
    return this.prefix + normalized(this.dir + s);
  }

  /** `scheme//rest` when rest is a plain host and path; undefined to ask the parser. */
  private web(scheme: string, rest: string): string | undefined {
    if (scheme !== 'http:' && scheme !== 'https:') return undefined;
    const m = PLAIN_HOST.exec(rest);
    if (!m) return undefined;
    const host = m[1]!;
    const lastLabel = host.charCodeAt(host.lastIndexOf('.') + 1);
    if ((lastLabel >= 48 && lastLabel <= 57) || host.includes('xn--')) return undefined;
    const tail = rest.slice(host.length);
    const pathAndQuery = tail === '' ? '/' : tail.charCodeAt(0) === 63 ? '/' + tail : tail;
    return `${scheme}//${host}${normalized(pathAndQuery)}`;
  }
}

/** Absolute http(s) URLs for `raws` (already trimmed), in first-seen order, without fragments. */
export function resolveLinks(raws: readonly string[], base: URL): string[] {
  const seen = new Set<string>();
  const r = new Resolver(base);
  for (const raw of raws) {
    const href = r.resolve(raw);
    if (href !== undefined) seen.add(href);
  }
  return [...seen];
}
