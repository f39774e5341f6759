// Resolving a page's hrefs to absolute http(s) URLs, fragment dropped, de-duplicated. Most hrefs on
// real pages are paths (root-relative "/a/b?c=d", relative "../x.html", "page.html#s") or plain
// absolute http(s) URLs, which WHATWG resolution turns into a string any JS can build: the path
// copied after the base's origin (or directory), dot segments removed. Those skip the URL parser
// (~2 µs each, hundreds per page with --links). Anything else, or any href with a character the
// parser would escape, a backslash, a percent-encoded dot, a port, an IP or non-ASCII host, goes
// through `new URL`, so the output is exactly what the parser gives (test/links.test.ts fuzzes it).

/**
 * An href part (before "#") of characters neither the path nor the (special-scheme) query
 * percent-encode set touches: no space, quote, apostrophe, "<", ">", "`", "{", "}", "^", "|", "\\",
 * control or non-ASCII character. A regex: irregexp's loop is several times faster than one in JS.
 */
const VERBATIM = /^[A-Za-z0-9\-_~!$&()*+,;=:@/%?.]*$/;
/** The same, or also characters both the path and the query set encode: space, '"', "<", ">" and non-ASCII. */
const ENCODABLE = /^(?:[A-Za-z0-9\-_~!$&()*+,;=:@/%?. "<>]|[^\x00-\x7f])*$/;
const TO_ENCODE = /[ "<>]|[^\x00-\x7f]+/g;
const PCT_DOT = /%2e/i;

/** `s` (ENCODABLE) percent-encoded as the URL parser encodes a path or query; undefined for a lone surrogate. */
function encoded(s: string): string | undefined {
  try {
    return s.replace(TO_ENCODE, encodeURIComponent); // UTF-8, upper-case hex, as the parser
  } catch {
    return undefined; // URIError: a lone surrogate, which the parser turns into U+FFFD
  }
}

/** A scheme before ":" (an href like "mailto:x" or "a:b" is absolute, not a relative path). */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** A "." or ".." segment in a path. */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;
/**
 * `http(s)://host[:port][/path-and-query]` (after `//` for a scheme-relative href): ASCII labels, no
 * credentials. A last label that is a number (or 0x…) makes the parser read an IPv4 address, and
 * "xn--" labels are checked as punycode: both go to the parser (any last label that starts with a
 * digit does).
 */
const PLAIN_HOST = /^([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)(?::([0-9]*))?(?=[/?]|$)/;

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
export class Resolver {
  /** scheme://host[:port] when the base serializes as that (http(s), no credentials), else undefined. */
  private readonly prefix: string | undefined;
  private readonly scheme: string;
  private readonly path: string;
  private readonly dir: string;
  private readonly self: string;
  /** prefix + dir, for a relative path without dot segments. */
  private readonly prefixDir: string;
  /** Has dir a segment starting with "."? Then prefix + dir + href may need dot-segment removal. */
  private readonly dirDots: boolean;

  constructor(private readonly base: URL) {
    const web = base.protocol === 'http:' || base.protocol === 'https:';
    this.prefix = web && base.username === '' && base.password === '' ? base.origin : undefined;
    this.scheme = base.protocol;
    this.path = base.pathname;
    this.dir = base.pathname.slice(0, base.pathname.lastIndexOf('/') + 1);
    this.self = (this.prefix ?? '') + base.pathname + base.search;
    this.prefixDir = (this.prefix ?? '') + this.dir;
    this.dirDots = this.dir.includes('/.');
  }

  /** The absolute URL for `raw` (trimmed), fragment dropped; undefined when it is not http(s) or not a URL. */
  resolve(raw: string): string | undefined {
    const hash = raw.indexOf('#');
    const s = hash === -1 ? raw : raw.slice(0, hash);
    // The parser strips spaces at the ends (hrefs come trimmed; the tests also pass untrimmed ones).
    const plain = VERBATIM.test(s) ? s : raw.charCodeAt(0) !== 32 && raw.charCodeAt(raw.length - 1) !== 32 && ENCODABLE.test(s) ? encoded(s) : undefined;
    if (plain !== undefined && (!s.includes('%') || !PCT_DOT.test(s))) {
      const fast = this.fast(plain);
      if (fast === NOT_WEB) return undefined;
      if (fast !== undefined) return fast;
    }
    const u = parse(raw, this.base);
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) return undefined;
    if (hash !== -1) u.hash = '';
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
      const name = scheme[0].toLowerCase();
      if (name !== 'http:' && name !== 'https:') return NOT_WEB; // mailto:, javascript:, ftp: … are never http(s)
      // http: and https: without "//" may be relative: those go to the parser.
      const n = name.length;
      return s.charCodeAt(n) === 47 && s.charCodeAt(n + 1) === 47 ? this.web(name, s.slice(n + 2)) : undefined;
    }
    // A relative path: dot segments only if it starts with "." or holds "/.", or the directory does.
    if (s.charCodeAt(0) !== 46 /* . */ && !this.dirDots && !s.includes('/.')) return this.prefixDir + s;
    return this.prefix + normalized(this.dir + s);
  }

  /** `scheme//rest` when rest is a plain host and path; undefined to ask the parser. */
  private web(scheme: string, rest: string): string | undefined {
    if (scheme !== 'http:' && scheme !== 'https:') return undefined;
    const m = PLAIN_HOST.exec(rest);
    if (!m) return undefined;
    const host = m[1]!.toLowerCase();
    const lastLabel = host.charCodeAt(host.lastIndexOf('.') + 1);
    if ((lastLabel >= 48 && lastLabel <= 57) || host.includes('xn--')) return undefined;
    let port = '';
    const digits = m[2];
    if (digits) {
      const n = Number(digits);
      if (n > 65535) return undefined; // the parser's error
      if (n !== (scheme === 'http:' ? 80 : 443)) port = `:${n}`; // leading zeros dropped, the default port too
    }
    const tail = rest.slice(m[0].length);
    const pathAndQuery = tail === '' ? '/' : tail.charCodeAt(0) === 63 ? '/' + tail : tail;
    return `${scheme}//${host}${port}${normalized(pathAndQuery)}`;
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
