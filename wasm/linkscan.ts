// AssemblyScript, compiled to WebAssembly by `npm run build` (asc): the --links byte scan of
// src/extract/linkscan.ts, rule for rule, with 16-byte SIMD compares where that one calls
// Buffer#indexOf. Most of the JS scan's time was those ~2,000 calls a page (finding "<", quotes and
// ">"): in WebAssembly a search is a few vector instructions, with no call into C++ at all.
// src/extract/linkscan.ts is the specification (its header says which tokenizer rules it follows);
// test/linkscan-wasm.test.ts checks that both give the same spans, byte for byte.
//
// The caller (src/extract/wasm.ts) writes the page's bytes at `body` and gives room for `cap` spans
// (pairs of i32) at `spans`; scan() returns the number of href values found, or -1 when they did not
// fit (the caller grows the room and scans again). Offsets are relative to `body`, as the JS scan's.

const LT: u8 = 0x3c;
const GT: u8 = 0x3e;
const SLASH: u8 = 0x2f;
const BANG: u8 = 0x21;
const DASH: u8 = 0x2d;
const QMARK: u8 = 0x3f;
const EQ: u8 = 0x3d;
const DQUOTE: u8 = 0x22;
const SQUOTE: u8 = 0x27;
const LBRACKET: u8 = 0x5b;

/** htmlparser2's whitespace: space, \n, \t, \f, \r. */
const WS: u8 = 1;
/** Ends a tag or attribute name: whitespace, "/", ">". */
const NAME_END: u8 = 2;
/** Ends an unquoted value: whitespace, ">". */
const VALUE_END: u8 = 4;
/** Ends an attribute name: NAME_END or "=". */
const ATTR_END: u8 = 8;

const CLASS: usize = memory.data(256);
store<u8>(CLASS + 0x20, WS | NAME_END | VALUE_END | ATTR_END);
store<u8>(CLASS + 0x0a, WS | NAME_END | VALUE_END | ATTR_END);
store<u8>(CLASS + 0x09, WS | NAME_END | VALUE_END | ATTR_END);
store<u8>(CLASS + 0x0c, WS | NAME_END | VALUE_END | ATTR_END);
store<u8>(CLASS + 0x0d, WS | NAME_END | VALUE_END | ATTR_END);
store<u8>(CLASS + SLASH, NAME_END | ATTR_END);
store<u8>(CLASS + GT, NAME_END | VALUE_END | ATTR_END);
store<u8>(CLASS + EQ, ATTR_END);

/** Tag kinds the scan distinguishes. */
const OTHER = 0;
const LINK = 1; // a, area
const BASE = 2;
const SPECIAL = 3; // script, style, title, textarea, xmp: text up to their end tag

// The page being scanned: its bytes are b[0, end) at address B.
let B: usize = 0;
let END: i32 = 0;
let SPANS: usize = 0;
let CAP: i32 = 0;
let used: i32 = 0;
let baseFrom: i32 = -1;
let baseTo: i32 = -1;
/** Set by tag(): was the tag just read self-closing ("/" then ">")? */
let selfClosing = false;
/** Set by tagKind() for a special tag: its name's address and length (in NAMES). */
let specialName: usize = 0;
let specialLen: i32 = 0;

// @ts-ignore: decorator
@inline function at(i: i32): u32 {
  return <u32>load<u8>(B + <usize>i);
}

// @ts-ignore: decorator
@inline function cls(c: u32): u32 {
  return <u32>load<u8>(CLASS + <usize>c);
}

function isAlpha(c: u32): bool {
  return (c | 0x20) - 0x61 < 26;
}

/** Index of byte `c` in b[from, end), or -1: 16 bytes at a time, then one by one. */
function find(c: u32, from: i32, end: i32): i32 {
  const pattern = i8x16.splat(<i8>c);
  let i = from;
  while (i + 16 <= end) {
    const m = i8x16.bitmask(i8x16.eq(v128.load(B + <usize>i), pattern));
    if (m != 0) return i + <i32>ctz(m);
    i += 16;
  }
  for (; i < end; i++) if (at(i) == c) return i;
  return -1;
}

/** Index of the ASCII sequence s (length n, at address S) in b[from, end), or -1. */
function findSeq(s: usize, n: i32, from: i32, end: i32): i32 {
  const first = <u32>load<u8>(s);
  let i = from;
  while (i < end) {
    const j = find(first, i, end);
    if (j == -1 || j + n > end) return -1;
    let k = 1;
    while (k < n && at(j + k) == <u32>load<u8>(s + <usize>k)) k++;
    if (k == n) return j;
    i = j + 1;
  }
  return -1;
}

/** Does b hold the ASCII sequence s (length n) at `i`? */
function has(s: usize, n: i32, i: i32): bool {
  if (i + n > END) return false;
  for (let k = 0; k < n; k++) if (at(i + k) != <u32>load<u8>(s + <usize>k)) return false;
  return true;
}

const COMMENT_END: usize = memory.data<u8>([0x2d, 0x2d, 0x3e]); // -->
const CDATA_END: usize = memory.data<u8>([0x5d, 0x5d, 0x3e]); // ]]>
const CDATA: usize = memory.data<u8>([0x43, 0x44, 0x41, 0x54, 0x41, 0x5b]); // CDATA[
// The special names, lower case: script, style, title, textarea, xmp.
const SCRIPT: usize = memory.data<u8>([0x73, 0x63, 0x72, 0x69, 0x70, 0x74]);
const STYLE: usize = memory.data<u8>([0x73, 0x74, 0x79, 0x6c, 0x65]);
const TITLE: usize = memory.data<u8>([0x74, 0x69, 0x74, 0x6c, 0x65]);
const TEXTAREA: usize = memory.data<u8>([0x74, 0x65, 0x78, 0x74, 0x61, 0x72, 0x65, 0x61]);
const XMP: usize = memory.data<u8>([0x78, 0x6d, 0x70]);

/** Is b[from, from + n) the lower-case name at `name` in any case? */
function named(from: i32, name: usize, n: i32): bool {
  for (let k = 0; k < n; k++) if ((at(from + k) | 0x20) != <u32>load<u8>(name + <usize>k)) return false;
  return true;
}

/** The kind of the tag named b[from, to); for a special one, specialName/specialLen are set. */
function tagKind(from: i32, to: i32): i32 {
  const len = to - from;
  const c0 = at(from) | 0x20;
  if (len == 1) return c0 == 0x61 ? LINK : OTHER;
  if (len == 4) {
    const c1 = at(from + 1) | 0x20;
    const c2 = at(from + 2) | 0x20;
    const c3 = at(from + 3) | 0x20;
    if (c0 == 0x61 && c1 == 0x72 && c2 == 0x65 && c3 == 0x61) return LINK; // area
    if (c0 == 0x62 && c1 == 0x61 && c2 == 0x73 && c3 == 0x65) return BASE; // base
    return OTHER;
  }
  if (c0 == 0x73) {
    if (len == 6 && named(from, SCRIPT, 6)) return special(SCRIPT, 6);
    if (len == 5 && named(from, STYLE, 5)) return special(STYLE, 5);
  } else if (c0 == 0x74) {
    if (len == 5 && named(from, TITLE, 5)) return special(TITLE, 5);
    if (len == 8 && named(from, TEXTAREA, 8)) return special(TEXTAREA, 8);
  } else if (c0 == 0x78) {
    if (len == 3 && named(from, XMP, 3)) return special(XMP, 3);
  }
  return OTHER;
}

function special(name: usize, n: i32): i32 {
  specialName = name;
  specialLen = n;
  return SPECIAL;
}

/** Is b[from, to) "href" in any case? */
function isHref(from: i32, to: i32): bool {
  return to - from == 4 && (at(from) | 0x20) == 0x68 && (at(from + 1) | 0x20) == 0x72 && (at(from + 2) | 0x20) == 0x65 && (at(from + 3) | 0x20) == 0x66;
}

/** The index of the "<" of "</name" + (">" or whitespace) that ends a special element's text, or -1. */
function specialEnd(name: usize, n: i32, from: i32, end: i32): i32 {
  let i = from;
  while (i < end) {
    const lt = find(LT, i, end);
    if (lt == -1) return -1;
    const stop = lt + 2 + n;
    if (stop < end && at(lt + 1) == SLASH) {
      let k = 0;
      while (k < n && (at(lt + 2 + k) | 0x20) == <u32>load<u8>(name + <usize>k)) k++;
      if (k == n && (at(stop) == GT || (cls(at(stop)) & WS) != 0)) return lt;
    }
    i = lt + 1;
  }
  return -1;
}

/** Records the href value b[from, to) of a link, or of the first base; false when spans are full. */
function take(kind: i32, from: i32, to: i32): bool {
  if (kind == LINK) {
    if (used >= CAP) return false;
    store<i32>(SPANS + (<usize>used << 3), from);
    store<i32>(SPANS + (<usize>used << 3) + 4, to);
    used++;
  } else if (baseFrom == -1) {
    baseFrom = from;
    baseTo = to;
  }
  return true;
}

/** tag()'s answer when the spans are full. */
const FULL = -2;

/**
 * Reads the attributes of a start tag from `p` (just past its name) to its ">"; returns the index
 * after ">", -1 at the end of the body, or FULL. For a link or base, the first href is taken.
 */
function tag(p: i32, kind: i32): i32 {
  const end = END;
  let hs = -1;
  let he = -1;
  selfClosing = false;
  while (p < end) {
    const c = at(p);
    if (c == GT) {
      if (hs != -1 && !take(kind, hs, he)) return FULL;
      return p + 1;
    }
    if (c == SLASH) {
      p++;
      while (p < end && (cls(at(p)) & WS) != 0) p++;
      if (p < end && at(p) == GT) {
        selfClosing = true;
        if (hs != -1 && !take(kind, hs, he)) return FULL;
        return p + 1;
      }
      continue;
    }
    if ((cls(c) & WS) != 0) {
      p++;
      continue;
    }
    // An attribute name: its first character is anything that got here (even "="), then up to
    // "=", whitespace, "/" or ">".
    const nameStart = p;
    p++;
    while (p < end && (cls(at(p)) & ATTR_END) == 0) p++;
    const nameEnd = p;
    while (p < end && (cls(at(p)) & WS) != 0) p++;
    if (p >= end) return -1;
    const wanted = hs == -1 && (kind == LINK || kind == BASE) && isHref(nameStart, nameEnd);
    if (at(p) != EQ) {
      if (wanted) hs = he = 0; // no value: ""
      continue;
    }
    p++;
    while (p < end && (cls(at(p)) & WS) != 0) p++;
    if (p >= end) return -1;
    const q = at(p);
    let vs: i32;
    let ve: i32;
    if (q == DQUOTE || q == SQUOTE) {
      const close = find(q, p + 1, end);
      if (close == -1) return -1;
      vs = p + 1;
      ve = close;
      p = close + 1;
    } else {
      vs = p;
      while (p < end && (cls(at(p)) & VALUE_END) == 0) p++;
      ve = p;
    }
    if (wanted) {
      hs = vs;
      he = ve;
    }
  }
  return -1;
}

/** The scan proper; returns FULL when the spans are full, else 0. */
function run(): i32 {
  const end = END;
  let i = 0;
  while (i < end) {
    const lt = find(LT, i, end);
    if (lt == -1 || lt + 1 >= end) return 0;
    const c = at(lt + 1);
    if (c == BANG) {
      const d = lt + 2 < end ? at(lt + 2) : 0;
      let close: i32;
      if (d == DASH && lt + 3 < end && at(lt + 3) == DASH) {
        const j = findSeq(COMMENT_END, 3, lt + 2, end);
        close = j == -1 ? -1 : j + 3;
      } else if (d == LBRACKET && has(CDATA, 6, lt + 3) && lt + 9 <= end) {
        const j = findSeq(CDATA_END, 3, lt + 9, end);
        close = j == -1 ? -1 : j + 3;
      } else {
        // A declaration; the character after "<!" (after "<!-" when a dash follows) is never its end.
        const gt = find(GT, d == DASH ? lt + 4 : lt + 3, end);
        close = gt == -1 ? -1 : gt + 1;
      }
      if (close == -1) return 0;
      i = close;
      continue;
    }
    if (c == QMARK || c == SLASH) {
      const gt = find(GT, lt + 2, end);
      if (gt == -1) return 0;
      i = gt + 1;
      continue;
    }
    if (!isAlpha(c)) {
      i = lt + 1;
      continue;
    }
    let q = lt + 2;
    while (q < end && (cls(at(q)) & NAME_END) == 0) q++;
    if (q >= end) return 0;
    const kind = tagKind(lt + 1, q);
    if (kind == OTHER && at(q) == GT) {
      i = q + 1; // <p>, <li>, <code>: most tags end right after their name
      continue;
    }
    const name = specialName;
    const n = specialLen;
    const after = tag(q, kind);
    if (after == FULL) return FULL;
    if (after == -1) return 0;
    i = after;
    if (kind == SPECIAL && !selfClosing) {
      const close = specialEnd(name, n, i, end);
      if (close == -1) return 0;
      i = close;
    }
  }
  return 0;
}

/**
 * Scans the page at `body` (length `len`): href values of a and area as span pairs at `spans` (room
 * for `cap`), the first base href in baseFrom()/baseTo(). Returns the count, or -1 when it passed cap.
 */
export function scan(body: usize, len: i32, spans: usize, cap: i32): i32 {
  B = body;
  END = len;
  SPANS = spans;
  CAP = cap;
  used = 0;
  baseFrom = -1;
  baseTo = -1;
  return run() == FULL ? -1 : used;
}

/** The first base href's value span of the last scan, or -1 (no base). */
export function scannedBaseFrom(): i32 {
  return baseFrom;
}

export function scannedBaseTo(): i32 {
  return baseTo;
}

/** Where free memory starts: the caller's buffers go from here (rounded up). */
export function heapBase(): usize {
  return __heap_base;
}
