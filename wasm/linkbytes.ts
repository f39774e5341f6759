// AssemblyScript, compiled with wasm/linkscan.ts into one module: the --links resolution of
// src/extract/linkbytes.ts (ByteResolver and resolveScanned), rule for rule, on the spans the scan
// left in this module's memory. src/extract/linkbytes.ts is the specification and says why each rule
// is what the URL parser does; test/linkscan-wasm.test.ts checks that both give the same lists.
//
// What needs JS is asked of it through two imports: `reference` (is "&name;" a named reference this
// path replaces, and by which UTF-8 bytes: the table is the `entities` package's) and `ask` (resolve
// span k with the URL parser and write the result here). The caller (src/extract/linkscan-wasm.ts)
// lays out the memory: the base's bytes, room for the output (resolveLinks() says how much is enough),
// and the de-duplicating table.

/** Resolves span k's value with the URL parser; writes the link at `dst` (room for `room` bytes). Returns its length, -1 for no link, -3 when it does not fit. */
@external("env", "ask")
declare function ask(k: i32, dst: usize, room: i32): i32;
/** The named reference at page byte p ("&") if it stands for non-ASCII characters: writes their UTF-8 at `dst`; returns (reference length << 8) | byte count, or 0. */
@external("env", "reference")
declare function reference(p: i32, to: i32, dst: usize): i32;

const NOT_WEB = -1; // nothing to add
const ASK = -2; // the URL parser decides
/** resolveLinks()' answer when an asked link did not fit: the caller gives more room and calls again. */
const NO_ROOM = -3;

const QUOTE: u32 = 0x22;
const HASH: u32 = 0x23;
const SLASH: u32 = 0x2f;
const QUERY: u32 = 0x3f;

// What each byte of an href is to copy() (linkbytes.ts's Kind).
const K_BAD: u32 = 0;
const K_COPY: u32 = 1;
const K_DOT: u32 = 2;
const K_QUERY: u32 = 3;
const K_HASH: u32 = 4;
const K_PERCENT: u32 = 5;
const K_AMP: u32 = 6;
const K_ENCODE: u32 = 7;
const K_HIGH: u32 = 8;

const KIND: usize = memory.data(256);
const COPY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~!$()*+,;=:@/';
for (let i = 0; i < COPY_CHARS.length; i++) store<u8>(KIND + <usize>COPY_CHARS.charCodeAt(i), <u8>K_COPY);
store<u8>(KIND + 0x2e, <u8>K_DOT);
store<u8>(KIND + 0x3f, <u8>K_QUERY);
store<u8>(KIND + 0x23, <u8>K_HASH);
store<u8>(KIND + 0x25, <u8>K_PERCENT);
store<u8>(KIND + 0x26, <u8>K_AMP);
store<u8>(KIND + 0x20, <u8>K_ENCODE);
store<u8>(KIND + 0x22, <u8>K_ENCODE);
store<u8>(KIND + 0x3c, <u8>K_ENCODE);
store<u8>(KIND + 0x3e, <u8>K_ENCODE);
for (let c = 0x80; c < 0x100; c++) store<u8>(KIND + <usize>c, <u8>K_HIGH);

const HEX: usize = memory.data<u8>([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46]);
const HTTP: usize = memory.data<u8>([0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f]);
const HTTPS: usize = memory.data<u8>([0x68, 0x74, 0x74, 0x70, 0x73, 0x3a, 0x2f, 0x2f]);
/** Where reference() writes a reference's bytes. */
const REF: usize = memory.data(64);

const FNV_PRIME: u32 = 0x01000193;
let fnvBasis: u32 = 0;

// @ts-ignore: decorator
@inline function step(h: u32, c: u32): u32 {
  return (h ^ c) * FNV_PRIME & 0x3fffffff;
}

function hash(from: usize, to: usize): u32 {
  let h = fnvBasis;
  for (let i = from; i < to; i++) h = step(h, <u32>load<u8>(i));
  return h;
}

// @ts-ignore: decorator
@inline function isSpace(c: u32): bool {
  return c == 0x20 || c - 0x09 <= 4; // tab, LF, VT, FF, CR, space
}

// @ts-ignore: decorator
@inline function isAlpha(c: u32): bool {
  return (c | 0x20) - 0x61 < 26;
}

// @ts-ignore: decorator
@inline function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

// The page (its bytes at B) and the base, as setBase() gave it: SELF holds "scheme://host[:port]" +
// pathname + search; the origin, the origin + directory and the origin + pathname are its prefixes.
let B: usize = 0;
let SELF: usize = 0;
let originLen: i32 = 0;
let dirLen: i32 = 0;
let pathLen: i32 = 0;
let selfLen: i32 = 0;
let https = false;
let utf8 = false;
let originHash: u32 = 0;
let dirHash: u32 = 0;
let pathHash: u32 = 0;
let selfHash: u32 = 0;

// The output: O is out[0]; w the next byte's offset; h the hash of the link written last.
let O: usize = 0;
let w: i32 = 0;
let h: u32 = 0;
let selfKept = false;
let dots = false;
let queryAt: i32 = -1;

// @ts-ignore: decorator
@inline function at(i: i32): u32 {
  return <u32>load<u8>(B + <usize>i);
}

// @ts-ignore: decorator
@inline function put(i: i32, c: u32): void {
  store<u8>(O + <usize>i, <u8>c);
}

// @ts-ignore: decorator
@inline function got(i: i32): u32 {
  return <u32>load<u8>(O + <usize>i);
}

/** Sets the per-process hash start (random, as in linkbytes.ts). */
export function setSeed(seed: u32): void {
  fnvBasis = seed & 0x3fffffff;
}

/**
 * The base for the next resolveLinks(): its bytes at `self` (origin + pathname + search), the
 * lengths of its prefixes, http or https, and whether the page's bytes are UTF-8.
 */
export function setBase(self: usize, origin: i32, dir: i32, path: i32, len: i32, isHttps: bool, isUtf8: bool): void {
  SELF = self;
  originLen = origin;
  dirLen = dir;
  pathLen = path;
  selfLen = len;
  https = isHttps;
  utf8 = isUtf8;
  originHash = hash(self, self + <usize>origin);
  dirHash = hash(self, self + <usize>dir);
  pathHash = hash(self, self + <usize>path);
  selfHash = hash(self, self + <usize>len);
}

/** Copies the first n bytes of SELF to out[at]; returns the end. */
function prefix(at: i32, n: i32): i32 {
  memory.copy(O + <usize>at, SELF, <usize>n);
  return at + n;
}

/** Writes c as "%XY" at out[at]; returns the hash carried on over those three bytes. */
function percent(at: i32, c: u32, hh: u32): u32 {
  const hi = <u32>load<u8>(HEX + <usize>(c >> 4));
  const lo = <u32>load<u8>(HEX + <usize>(c & 15));
  put(at, 0x25);
  put(at + 1, hi);
  put(at + 2, lo);
  return step(step(step(hh, 0x25), hi), lo);
}

function cont(c: u32): bool {
  return c - 0x80 < 0x40;
}

/** linkbytes.ts's utf8Length (hrefchars.ts): the valid UTF-8 sequence at p that trim() keeps, or 0. */
function utf8Length(p: i32, to: i32): i32 {
  const c = at(p);
  if (c >= 0xc2 && c <= 0xdf) {
    if (p + 1 >= to || !cont(at(p + 1))) return 0;
    return c == 0xc2 && at(p + 1) == 0xa0 ? 0 : 2;
  }
  if (c >= 0xe0 && c <= 0xef) {
    if (p + 2 >= to) return 0;
    const c1 = at(p + 1);
    if (c == 0xe0 ? c1 < 0xa0 || c1 > 0xbf : c == 0xed ? c1 < 0x80 || c1 > 0x9f : !cont(c1)) return 0;
    const c2 = at(p + 2);
    if (!cont(c2)) return 0;
    if ((c == 0xe1 && c1 == 0x9a && c2 == 0x80) || (c == 0xe2 && (c1 == 0x80 || (c1 == 0x81 && c2 == 0x9f))) || (c == 0xe3 && c1 == 0x80 && c2 == 0x80) || (c == 0xef && c1 == 0xbb && c2 == 0xbf)) return 0;
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (p + 3 >= to) return 0;
    const c1 = at(p + 1);
    if (c == 0xf0 ? c1 < 0x90 || c1 > 0xbf : c == 0xf4 ? c1 < 0x80 || c1 > 0x8f : !cont(c1)) return 0;
    return cont(at(p + 2)) && cont(at(p + 3)) ? 4 : 0;
  }
  return 0;
}

/**
 * Removes "." and ".." segments from the path out[from, to) ("/…"), moving out[to, end) after it;
 * returns the new end. The path is rewritten in place as "/seg" after "/seg": the segment a ".."
 * drops is the one after the last "/" written (linkbytes.ts keeps a stack of their offsets instead).
 */
function removeDots(from: i32, to: i32, end: i32): i32 {
  let o = from;
  let i = from + 1;
  for (;;) {
    let j = i;
    while (j < to && got(j) != SLASH) j++;
    const last = j == to;
    const len = j - i;
    if (len == 2 && got(i) == 0x2e && got(i + 1) == 0x2e) {
      if (o > from) {
        o--;
        while (got(o) != SLASH) o--;
      }
      if (last) put(o++, SLASH);
    } else if (len == 1 && got(i) == 0x2e) {
      if (last) put(o++, SLASH);
    } else {
      put(o++, SLASH);
      if (o != i) memory.copy(O + <usize>o, O + <usize>i, <usize>len);
      o += len;
    }
    if (last) break;
    i = j + 1;
  }
  if (o == from) put(o++, SLASH);
  memory.copy(O + <usize>o, O + <usize>to, <usize>(end - to));
  return o + (end - to);
}

/** The link out[w, end) (hash hh) is complete: dot segments removed. Returns its end. */
function finish(pathAt: i32, end: i32, hh: u32): i32 {
  if (dots) {
    end = removeDots(pathAt, queryAt == -1 ? end : queryAt, end);
    hh = hash(O + <usize>w, O + <usize>end);
  }
  h = hh;
  return end;
}

/**
 * Copies the href's bytes [p, to) after out[.., o), encoding what the parser encodes, up to a "#";
 * then removes dot segments from the path, which starts at out[pathAt] (-1: only a query is copied).
 */
function copy(p: i32, to: i32, o: i32, pathAt: i32, hh: u32): i32 {
  let inPath = pathAt != -1;
  dots = false;
  if (inPath) queryAt = -1;
  for (; p < to; p++) {
    const c = at(p);
    const kind = <u32>load<u8>(KIND + <usize>c);
    if (kind == K_COPY) {
      put(o++, c);
      hh = step(hh, c);
      continue;
    }
    switch (kind) {
      case K_DOT: {
        if (inPath && got(o - 1) == SLASH) dots = true;
        put(o++, c);
        hh = step(hh, c);
        break;
      }
      case K_QUERY: {
        if (inPath) {
          inPath = false;
          queryAt = o;
        }
        put(o++, c);
        hh = step(hh, c);
        break;
      }
      case K_HASH:
        return finish(pathAt, o, hh);
      case K_PERCENT: {
        if (p + 2 < to && at(p + 1) == 0x32 && (at(p + 2) | 0x20) == 0x65) return ASK; // "%2e": a dot to the parser
        put(o++, c);
        hh = step(hh, c);
        break;
      }
      case K_AMP: {
        if (p + 4 < to && at(p + 1) == 0x61 && at(p + 2) == 0x6d && at(p + 3) == 0x70 && at(p + 4) == 0x3b) {
          put(o++, c);
          hh = step(hh, c);
          p += 4;
          break;
        }
        const ref = reference(p, to, REF);
        if (ref == 0) return ASK;
        const n = ref & 0xff;
        for (let k = 0; k < n; k++) {
          hh = percent(o, <u32>load<u8>(REF + <usize>k), hh);
          o += 3;
        }
        p += (ref >> 8) - 1;
        break;
      }
      case K_ENCODE: {
        hh = percent(o, c, hh);
        o += 3;
        break;
      }
      case K_HIGH: {
        const n = utf8 ? utf8Length(p, to) : 0;
        if (n == 0) return ASK;
        for (let k = 0; k < n; k++) {
          hh = percent(o, at(p + k), hh);
          o += 3;
        }
        p += n - 1;
        break;
      }
      default:
        return ASK;
    }
  }
  return finish(pathAt, o, hh);
}

/** `http(s)://` + [p, to) when that starts with a plain host (ASCII labels, no IP), else ASK. */
function web(p: i32, to: i32, isHttps: bool): i32 {
  let o = w;
  if (isHttps) {
    memory.copy(O + <usize>o, HTTPS, 8);
    o += 8;
  } else {
    memory.copy(O + <usize>o, HTTP, 7);
    o += 7;
  }
  const host = o;
  let labelStart = true;
  let digitLabel = false;
  for (; p < to; p++) {
    const c = at(p);
    if (isAlpha(c) || isDigit(c) || c == 0x2d) {
      if (labelStart) {
        digitLabel = isDigit(c);
        labelStart = false;
      }
      put(o++, c - 0x41 < 26 ? c | 0x20 : c);
    } else if (c == 0x2e && !labelStart) {
      labelStart = true;
      put(o++, c);
    } else break;
  }
  if (labelStart || digitLabel) return ASK;
  for (let k = host; k + 3 < o; k++) if (got(k) == 0x78 && got(k + 1) == 0x6e && got(k + 2) == 0x2d && got(k + 3) == 0x2d) return ASK; // punycode
  if (p < to && at(p) == 0x3a) {
    const digits = ++p;
    let port: u32 = 0;
    for (; p < to && isDigit(at(p)); p++) {
      port = port * 10 + at(p) - 0x30;
      if (port > 65535) return ASK;
    }
    if (p > digits && port != (isHttps ? 443 : 80)) {
      put(o++, 0x3a);
      // The port's decimal digits, without leading zeros.
      let div: u32 = 10000;
      while (div > port) div /= 10;
      if (port == 0) put(o++, 0x30);
      while (div > 0) {
        put(o++, 0x30 + (port / div) % 10);
        div /= 10;
      }
    }
  }
  if (p == to || at(p) == HASH) {
    put(o++, SLASH);
    dots = false;
    return finish(-1, o, hash(O + <usize>w, O + <usize>o));
  }
  if (at(p) == QUERY) {
    put(o++, SLASH);
    queryAt = o;
    return copy(p, to, o, -1, hash(O + <usize>w, O + <usize>o));
  }
  if (at(p) != SLASH) return ASK; // credentials, a backslash, "%" in the host …
  return copy(p, to, o, o, hash(O + <usize>w, O + <usize>o));
}

/** The link for the href value [from, to) (raw, untrimmed), written at out[w]: its end, or NOT_WEB / ASK. */
function resolve(from: i32, to: i32): i32 {
  while (from < to && isSpace(at(from))) from++;
  while (to > from && isSpace(at(to - 1))) to--;
  const c0 = from < to ? at(from) : HASH;
  if (c0 == HASH) {
    if (selfKept) return NOT_WEB;
    selfKept = true;
    h = selfHash;
    return prefix(w, selfLen);
  }
  if (c0 == SLASH) {
    if (from + 1 < to && at(from + 1) == SLASH) return web(from + 2, to, https);
    const o = prefix(w, originLen);
    return copy(from, to, o, o, originHash);
  }
  if (c0 == QUERY) {
    const o = prefix(w, pathLen);
    queryAt = o;
    return copy(from, to, o, -1, pathHash);
  }
  if (isAlpha(c0)) {
    let k = from + 1;
    while (k < to) {
      const c = at(k);
      if (!(isAlpha(c) || isDigit(c) || c == 0x2b || c == 0x2d || c == 0x2e)) break;
      k++;
    }
    if (k < to && at(k) == 0x3a) {
      const len = k - from;
      const http = (len == 4 || len == 5) && (at(from) | 0x20) == 0x68 && (at(from + 1) | 0x20) == 0x74 && (at(from + 2) | 0x20) == 0x74 && (at(from + 3) | 0x20) == 0x70;
      if (!http || (len == 5 && (at(from + 4) | 0x20) != 0x73)) return NOT_WEB;
      if (k + 2 < to && at(k + 1) == SLASH && at(k + 2) == SLASH) return web(k + 3, to, len == 5);
      return ASK;
    }
  }
  const o = prefix(w, dirLen);
  return copy(from, to, o, w + originLen, dirHash);
}

/** Links kept by the last resolveLinks(). */
let kept: i32 = 0;

export function keptCount(): i32 {
  return kept;
}

/**
 * Resolves the `count` spans at `spans` of the page at `body` against the base of setBase(),
 * de-duplicated, into out (at `out`, `room` bytes) as the list's JSON text `["…","…"]` (unless
 * none is kept): returns its length, with keptCount() links whose [start, end) offsets in out are
 * at `keptAt` (two i32 each). `table` has `slots` (a power of two, at least 2 × count) i32 slots;
 * `hashes` room for count u32. Room enough for any page is 1 + count × (base length + 16) + 4 ×
 * page length (per link: quotes, comma, "https://", a port; per byte at most 4, "&nGt;" being 18
 * bytes for 5); NO_ROOM when a link the parser resolved did not fit (the caller gives more room).
 */
export function resolveLinks(body: usize, spans: usize, count: i32, out: usize, room: i32, keptAt: usize, table: usize, slots: i32, hashes: usize): i32 {
  B = body;
  O = out;
  selfKept = false;
  memory.fill(table, 0, <usize>slots << 2);
  const mask = slots - 1;
  let n = 0;
  put(0, 0x5b); // [
  w = 1;
  for (let k = 0; k < count; k++) {
    put(w++, QUOTE);
    const start = w;
    const from = load<i32>(spans + (<usize>k << 3));
    const to = load<i32>(spans + (<usize>k << 3) + 4);
    let end = resolve(from, to);
    if (end == ASK) {
      const len = ask(k, O + <usize>start, room - start - 2);
      if (len == NO_ROOM) return NO_ROOM;
      if (len >= 0) {
        end = start + len;
        h = hash(O + <usize>start, O + <usize>end);
      } else end = NOT_WEB;
    }
    if (end < 0) {
      w = start - 1; // no link: drop the quote
      continue;
    }
    let slot = h & mask;
    for (;;) {
      const a = load<i32>(table + (<usize>slot << 2));
      if (a == 0) {
        store<i32>(table + (<usize>slot << 2), n + 1);
        store<u32>(hashes + (<usize>n << 2), h);
        store<i32>(keptAt + (<usize>n << 3), start);
        store<i32>(keptAt + (<usize>n << 3) + 4, end);
        n++;
        put(end, QUOTE);
        put(end + 1, 0x2c); // ,
        w = end + 2;
        break;
      }
      const i = a - 1;
      if (load<u32>(hashes + (<usize>i << 2)) == h) {
        const s = load<i32>(keptAt + (<usize>i << 3));
        const e = load<i32>(keptAt + (<usize>i << 3) + 4);
        if (e - s == end - start && memory.compare(O + <usize>s, O + <usize>start, <usize>(end - start)) == 0) {
          w = start - 1; // seen: its bytes are dropped
          break;
        }
      }
      slot = (slot + 1) & mask;
    }
  }
  kept = n;
  if (n == 0) return 0;
  put(w - 1, 0x5d); // the last "," becomes "]"
  return w;
}
