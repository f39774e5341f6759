// --links without a tree, second step: the scan's href values resolved straight from the page's
// bytes. Most hrefs are paths ("/a/b.html", "page.html#s", "../x/", "?q=1") or plain http(s) URLs,
// and resolving one is writing the base's origin (or directory) and then the href's own bytes, with
// dot segments removed and some characters percent-encoded (UTF-8 sequences and named references
// such as "&eacute;" too: hrefchars.ts). Those are written into one buffer, quoted and comma-separated,
// which becomes one string at the end: the list's JSON text (json-text.ts), each link a slice of it.
// No string per href, no URL object, no Set hashing strings again. Any other value (a character
// the parser treats otherwise, a host that is not plain ASCII labels, a base with credentials, ...)
// is decoded as the tree would (hrefText) and resolved by links.ts, which ends in `new URL`;
// test/linkbytes.test.ts checks the byte paths against the parser.
// wasm/linkbytes.ts is this resolution in WebAssembly, what --links runs where it can (links-wasm.ts):
// this one is its specification, and the path taken without WebAssembly SIMD.
import { namedReference, utf8Length } from './hrefchars.js';
import { withJsonText } from './json-text.js';
import { hrefText, type ScannedLinks } from './linkscan.js';
import { linkBase, Resolver } from './links.js';

/** resolve()'s answers besides an end offset. */
const NOT_WEB = -1; // nothing to add: a scheme other than http(s) (never a link), or the base again
const ASK = -2; // links.ts decides

/** Bytes the resolver looks for (a const enum: the numbers are written into the code). */
const enum Byte {
  Quote = 0x22,
  Hash = 0x23,
  Slash = 0x2f,
  Query = 0x3f,
}

// What each byte of an href is to the copy loop. Copy: a character neither the path nor the
// special-query percent-encode set touches (and no "'", which only the query encodes).
const enum Kind {
  Bad,
  Copy, // "/" too
  Dot,
  Query,
  Hash,
  Percent,
  Amp,
  Encode, // space, '"', "<", ">": both sets encode them
  High, // 0x80–0xFF: part of a UTF-8 sequence, maybe
}
const KIND = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~!$()*+,;=:@/') KIND[c.charCodeAt(0)] = Kind.Copy;
KIND[0x2e] = Kind.Dot;
KIND[0x3f] = Kind.Query;
KIND[0x23] = Kind.Hash;
KIND[0x25] = Kind.Percent;
KIND[0x26] = Kind.Amp;
for (const c of ' "<>') KIND[c.charCodeAt(0)] = Kind.Encode;
KIND.fill(Kind.High, 0x80);
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');
// FNV-1a kept to 30 bits at every step: a hash that always fits a small integer is never boxed
// (a 32-bit one often is, when stored in a field or passed: a heap number per link). Its start is
// random per process, as V8 seeds its string hashes: a page cannot be made of links that all share
// one slot of the de-duplicating table (each would be compared with all the others).
const FNV_BASIS = Math.floor(Math.random() * 0x40000000);
const FNV_PRIME = 0x01000193;

/** One FNV-1a step over byte c, in 30 bits. */
function step(h: number, c: number): number {
  return Math.imul(h ^ c, FNV_PRIME) & 0x3fffffff;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d); // String#trim's ASCII: tab, LF, VT, FF, CR, space
}

function isAlpha(c: number): boolean {
  return (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Can hrefs be resolved from their bytes against `base` (http(s), no user name or password)? */
export function bytesResolve(base: URL): boolean {
  return (base.protocol === 'http:' || base.protocol === 'https:') && base.username === '' && base.password === '';
}

/** Where resolved links are written, page after page; grown as needed. */
let out = Buffer.allocUnsafe(64 * 1024);
/** Per value of the page: [start, end) in out, or [-1, i]: slow[i], or [-1, -1]: no link. Reused. */
let marks = new Int32Array(2 * 1024);

/** Makes out hold at least `need` bytes, keeping what it holds. */
function grow(need: number): void {
  if (need <= out.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(2 * out.length, need));
  out.copy(bigger);
  out = bigger;
}

/**
 * Resolution against one http(s) base without credentials, into `out`. resolve() writes a link at
 * `w` and returns its end, or NOT_WEB / ASK with nothing written.
 */
class ByteResolver {
  w = 0;
  /** "scheme://host[:port]", "…" + dir ("/a/b/" of "/a/b/c"), "…" + pathname, "…" + search: "" resolved. */
  private readonly origin: Buffer;
  private readonly originDir: Buffer;
  private readonly originPath: Buffer;
  private readonly self: Buffer;
  private readonly https: boolean;
  /** Room a link needs besides 3 bytes per href byte. */
  private readonly room: number;
  /** FNV-1a states after each prefix above. */
  private readonly originHash: number;
  private readonly originDirHash: number;
  private readonly originPathHash: number;
  private readonly selfHash: number;
  /** Has the base itself been written once (then it is in the list, or was a duplicate of a link in it)? */
  private selfKept = false;
  /** The hash (FNV-1a) of the link resolve() or append() wrote last. */
  h = 0;
  // Set by copy(): a "." right after a "/" in the path (maybe a dot segment), where the query starts.
  private dots = false;
  private queryAt = -1;

  /** `utf8`: the page's bytes are UTF-8, so its non-ASCII sequences are the characters they encode. */
  constructor(base: URL, private readonly utf8: boolean) {
    const path = base.pathname;
    this.origin = Buffer.from(base.origin, 'latin1');
    this.originDir = Buffer.from(base.origin + path.slice(0, path.lastIndexOf('/') + 1), 'latin1');
    this.originPath = Buffer.from(base.origin + path, 'latin1');
    // Not the href up to "#": Node's parser resolves "" against "…/p?" to "…/p" (search is "" there).
    this.self = Buffer.from(base.origin + path + base.search, 'latin1');
    this.https = base.protocol === 'https:';
    this.room = this.self.length + this.originPath.length + 16;
    this.originHash = hash(this.origin, 0, this.origin.length);
    this.originDirHash = hash(this.originDir, 0, this.originDir.length);
    this.originPathHash = hash(this.originPath, 0, this.originPath.length);
    this.selfHash = hash(this.self, 0, this.self.length);
  }


  /** Writes `href` (a URL the parser serialized: ASCII) as the next link; returns its end. */
  append(href: string): number {
    grow(this.w + href.length);
    const start = this.w;
    this.w += out.write(href, this.w, 'latin1');
    this.h = hash(out, start, this.w);
    return this.w;
  }

  /** The link for the href value b[from, to) (raw bytes, untrimmed): its end in out, or NOT_WEB / ASK. */
  resolve(b: Buffer, from: number, to: number): number {
    while (from < to && isSpace(b[from]!)) from++;
    while (to > from && isSpace(b[to - 1]!)) to--;
    grow(this.w + this.room + 3 * (to - from));
    const c0 = from < to ? b[from]! : Byte.Hash;
    if (c0 === Byte.Hash) {
      // "" or "#…": the base itself, once (pages link "#top" and the like dozens of times).
      if (this.selfKept) return NOT_WEB;
      this.selfKept = true;
      this.h = this.selfHash;
      return (this.w = this.put(this.self, this.w));
    }
    if (c0 === Byte.Slash) {
      if (from + 1 < to && b[from + 1] === Byte.Slash) return this.web(b, from + 2, to, this.https);
      const w = this.put(this.origin, this.w);
      return this.copy(b, from, to, w, w, this.originHash);
    }
    if (c0 === Byte.Query) {
      const w = this.put(this.originPath, this.w);
      this.queryAt = w;
      return this.copy(b, from, to, w, -1, this.originPathHash);
    }
    if (isAlpha(c0)) {
      // A scheme: a letter, then letters, digits, "+", "-", "." up to ":".
      let k = from + 1;
      while (k < to && (isAlpha(b[k]!) || isDigit(b[k]!) || b[k] === 0x2b || b[k] === 0x2d || b[k] === 0x2e)) k++;
      if (k < to && b[k] === 0x3a) {
        const len = k - from;
        const http = (len === 4 || len === 5) && (b[from]! | 0x20) === 0x68 && (b[from + 1]! | 0x20) === 0x74 && (b[from + 2]! | 0x20) === 0x74 && (b[from + 3]! | 0x20) === 0x70;
        if (!http || (len === 5 && (b[from + 4]! | 0x20) !== 0x73)) return NOT_WEB; // mailto:, javascript:, ftp: …
        // "http:" without "//" may be relative to an http base: the parser decides.
        if (k + 2 < to && b[k + 1] === Byte.Slash && b[k + 2] === Byte.Slash) return this.web(b, k + 3, to, len === 5);
        return ASK;
      }
    }
    // A relative path: after the base's directory.
    const w = this.put(this.originDir, this.w);
    return this.copy(b, from, to, w, this.w + this.origin.length, this.originDirHash);
  }

  /** Writes `bytes` at out[w]; returns the end. */
  private put(bytes: Buffer, w: number): number {
    out.set(bytes, w); // cheaper than a loop for the ~30 bytes of an origin
    return w + bytes.length;
  }

  /**
   * Copies the href's b[p, to) after out[0, w), encoding what the parser encodes, up to a "#"; then
   * removes dot segments from the path, which starts at out[pathAt] ("/"; -1: only a query is copied).
   * `h`: the hash of out[this.w, w), carried on over what is written.
   */
  private copy(b: Buffer, p: number, to: number, w: number, pathAt: number, h: number): number {
    let o = out;
    let inPath = pathAt !== -1;
    this.dots = false;
    if (inPath) this.queryAt = -1;
    for (; p < to; p++) {
      const c = b[p]!;
      const kind = KIND[c]!;
      if (kind === Kind.Copy) {
        // Most bytes: tested first, apart from the switch (which costs more per byte).
        o[w++] = c;
        h = step(h, c);
        continue;
      }
      switch (kind) {
        case Kind.Dot:
          if (inPath && o[w - 1] === Byte.Slash) this.dots = true;
          o[w++] = c;
          h = step(h, c);
          break;
        case Kind.Query:
          if (inPath) {
            inPath = false;
            this.queryAt = w;
          }
          o[w++] = c;
          h = step(h, c);
          break;
        case Kind.Hash:
          return this.end(pathAt, w, h);
        case Kind.Percent:
          // "%2e" is a dot to the parser, in a path segment.
          if (p + 2 < to && b[p + 1] === 0x32 && (b[p + 2]! | 0x20) === 0x65) return ASK;
          o[w++] = c;
          h = step(h, c);
          break;
        case Kind.Amp: {
          // "&amp;" is "&"; "&name;" for non-ASCII characters is those; any other reference (or a
          // bare "&") is for hrefText.
          if (p + 4 < to && b[p + 1] === 0x61 && b[p + 2] === 0x6d && b[p + 3] === 0x70 && b[p + 4] === 0x3b) {
            o[w++] = c;
            h = step(h, c);
            p += 4;
            break;
          }
          const ref = namedReference(b, p, to);
          if (ref === undefined) return ASK;
          const bytes = ref.utf8;
          if (w + 3 * bytes.length + (to - p) * 3 > o.length) {
            grow(w + 3 * bytes.length + (to - p) * 3);
            o = out;
          }
          for (let k = 0; k < bytes.length; k++) {
            h = percent(o, w, bytes[k]!, h);
            w += 3;
          }
          p += ref.length - 1;
          break;
        }
        case Kind.Encode:
          h = percent(o, w, c, h);
          w += 3;
          break;
        case Kind.High: {
          const n = this.utf8 ? utf8Length(b, p, to) : 0;
          if (n === 0) return ASK;
          for (let k = 0; k < n; k++) {
            h = percent(o, w, b[p + k]!, h);
            w += 3;
          }
          p += n - 1;
          break;
        }
        default:
          return ASK;
      }
    }
    return this.end(pathAt, w, h);
  }

  /** The link out[this.w, w) (hash h) is complete: dot segments removed; it is kept. Returns its end. */
  private end(pathAt: number, w: number, h: number): number {
    if (this.dots) {
      w = removeDots(out, pathAt, this.queryAt === -1 ? w : this.queryAt, w);
      h = hash(out, this.w, w);
    }
    this.h = h;
    this.w = w;
    return w;
  }

  /** `http(s)://` + b[p, to) when that starts with a plain host (ASCII labels, no IP), else ASK. */
  private web(b: Buffer, p: number, to: number, https: boolean): number {
    const o = out;
    let w = this.put(https ? HTTPS : HTTP, this.w);
    const host = w;
    let labelStart = true;
    let digitLabel = false;
    for (; p < to; p++) {
      const c = b[p]!;
      if (isAlpha(c) || isDigit(c) || c === 0x2d) {
        if (labelStart) {
          digitLabel = isDigit(c);
          labelStart = false;
        }
        o[w++] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
      } else if (c === 0x2e && !labelStart) {
        labelStart = true;
        o[w++] = c;
      } else break;
    }
    // No host, an empty label, a last label that starts with a digit (an IPv4 address to the parser).
    if (labelStart || digitLabel) return ASK;
    for (let k = host; k + 3 < w; k++) if (o[k] === 0x78 && o[k + 1] === 0x6e && o[k + 2] === 0x2d && o[k + 3] === 0x2d) return ASK; // punycode
    if (p < to && b[p] === 0x3a) {
      const digits = ++p;
      let port = 0;
      for (; p < to && isDigit(b[p]!); p++) {
        port = port * 10 + b[p]! - 0x30;
        if (port > 65535) return ASK; // the parser's error
      }
      // No digits: no port. The scheme's default port is left out, as are leading zeros.
      if (p > digits && port !== (https ? 443 : 80)) {
        o[w++] = 0x3a;
        const text = String(port);
        for (let k = 0; k < text.length; k++) o[w++] = text.charCodeAt(k);
      }
    }
    if (p === to || b[p] === Byte.Hash) {
      o[w++] = Byte.Slash;
      this.dots = false;
      return this.end(-1, w, hash(o, this.w, w));
    }
    if (b[p] === Byte.Query) {
      o[w++] = Byte.Slash;
      this.queryAt = w;
      return this.copy(b, p, to, w, -1, hash(o, this.w, w));
    }
    if (b[p] !== Byte.Slash) return ASK; // credentials, a backslash, "%" in the host …
    return this.copy(b, p, to, w, w, hash(o, this.w, w));
  }
}

const HTTP = Buffer.from('http://', 'latin1');
const HTTPS = Buffer.from('https://', 'latin1');

/** removeDots()' stack of segment offsets; reused, grown as needed (a path has fewer segments than bytes). */
let starts = new Int32Array(256);

/**
 * Removes "." and ".." segments from the path o[from, to) (it starts with "/") as the URL parser
 * does, moving o[to, end) (the query) after it; returns the new end.
 */
function removeDots(o: Buffer, from: number, to: number, end: number): number {
  // Segments are written back as "/seg" at w (never past where they are read); starts: their offsets.
  if (starts.length < to - from) starts = new Int32Array(2 * (to - from));
  let top = 0;
  let w = from;
  let i = from + 1;
  for (;;) {
    let j = i;
    while (j < to && o[j] !== Byte.Slash) j++;
    const last = j === to;
    const len = j - i;
    if (len === 2 && o[i] === 0x2e && o[i + 1] === 0x2e) {
      if (top > 0) w = starts[--top]!;
      if (last) o[w++] = Byte.Slash;
    } else if (len === 1 && o[i] === 0x2e) {
      if (last) o[w++] = Byte.Slash;
    } else {
      starts[top++] = w;
      o[w++] = Byte.Slash;
      if (w !== i) for (let k = i; k < j; k++) o[w + k - i] = o[k]!; // in place until a segment was dropped
      w += len;
    }
    if (last) break;
    i = j + 1;
  }
  if (w === from) o[w++] = Byte.Slash;
  o.copyWithin(w, to, end);
  return w + (end - to);
}

/** Slots of the de-duplicating hash table: a kept link's index + 1, or 0. Reused, grown as needed. */
let table = new Int32Array(4096);
/** Per kept link of the page: its start and end in out. Reused, grown as needed. */
let kept = new Int32Array(2 * 1024);
/** Per kept link: its hash, compared before its bytes. */
let keptHash = new Int32Array(1024);

/** Writes c as "%XY" at o[w]; returns the hash h carried on over those three bytes. */
function percent(o: Buffer, w: number, c: number, h: number): number {
  const hi = HEX[c >> 4]!;
  const lo = HEX[c & 15]!;
  o[w] = 0x25;
  o[w + 1] = hi;
  o[w + 2] = lo;
  return step(step(step(h, 0x25), hi), lo);
}

/** The hash (step() over each byte) of o[from, to). */
function hash(o: Buffer, from: number, to: number): number {
  let h = FNV_BASIS;
  for (let i = from; i < to; i++) h = step(h, o[i]!);
  return h;
}

function same(o: Buffer, a: number, aEnd: number, b: number, bEnd: number): boolean {
  if (aEnd - a !== bEnd - b) return false;
  while (a < aEnd) if (o[a++] !== o[b++]) return false;
  return true;
}

/** The scanned values' links: absolute http(s) URLs without fragment, in first-seen order, once each. */
export function resolveScanned(scan: ScannedLinks, pageUrl: string): string[] {
  const { bytes, spans, count, decoder } = scan;
  const base = linkBase(pageUrl, scan.baseFrom === -1 ? undefined : hrefText(bytes, scan.baseFrom, scan.baseTo, decoder));
  if (!base) return [];
  // Every link is written to out, the slow ones (ASCII, as the parser serializes) too, so that one
  // table of byte spans de-duplicates them all: a Set of strings would hash each string again. Each
  // is written quoted and followed by ",", after a "[": out becomes the list's JSON text.
  const fast = new ByteResolver(base, decoder.encoding === 'utf-8');
  const askAll = !bytesResolve(base);
  let slow: Resolver | undefined;
  /** Does every link read the same inside JSON quotes (no '"', "\\" or control character)? */
  let jsonSafe = true;
  let size = 16;
  while (size < 2 * count) size *= 2; // at most half full
  if (size > table.length) table = new Int32Array(size);
  else table.fill(0, 0, size);
  const mask = size - 1;
  if (kept.length < 2 * count) {
    kept = new Int32Array(2 * count);
    keptHash = new Int32Array(count);
  }
  let n = 0;
  out[0] = 0x5b; // [
  fast.w = 1;
  for (let k = 0; k < 2 * count; k += 2) {
    grow(fast.w + 1);
    out[fast.w++] = Byte.Quote;
    const start = fast.w;
    let end = askAll ? ASK : fast.resolve(bytes, spans[k]!, spans[k + 1]!);
    if (end === ASK) {
      slow ??= new Resolver(base);
      const href = slow.resolve(hrefText(bytes, spans[k]!, spans[k + 1]!, decoder));
      if (href !== undefined) {
        end = fast.append(href);
        if (!jsonPlain(href)) jsonSafe = false;
      }
    }
    if (end < 0) {
      fast.w = start - 1; // no link: drop the quote
      continue;
    }
    let slot = fast.h & mask;
    for (;;) {
      const at = table[slot]!;
      if (at === 0) {
        table[slot] = n + 1;
        keptHash[n] = fast.h;
        kept[2 * n] = start;
        kept[2 * n + 1] = end;
        n++;
        grow(end + 2);
        out[end] = Byte.Quote;
        out[end + 1] = 0x2c; // ,
        fast.w = end + 2;
        break;
      }
      if (keptHash[at - 1] === fast.h && same(out, kept[2 * (at - 1)]!, kept[2 * (at - 1) + 1]!, start, end)) {
        fast.w = start - 1; // seen: its bytes are dropped
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  if (n === 0) return [];
  out[fast.w - 1] = 0x5d; // the last "," becomes "]"
  const all = out.toString('latin1', 0, fast.w);
  const links = new Array<string>(n); // its size known: no growing copies
  for (let i = 0; i < n; i++) links[i] = all.slice(kept[2 * i], kept[2 * i + 1]);
  return jsonSafe ? withJsonText(links, all) : links;
}

/** What JSON.stringify leaves as is between quotes (printable ASCII but '"' and "\\"). */
const JSON_PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Does `s` read the same inside JSON quotes (no '"', "\\" or control character)? */
export function jsonPlain(s: string): boolean {
  return JSON_PLAIN.test(s);
}
