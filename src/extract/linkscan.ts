// --links without a document tree: a scan of the raw bytes that finds exactly the hrefs of <a> and
// <area> and the first <base href> that cheerio's tree (htmlparser2, dom.ts) holds, in document order.
// It follows htmlparser2's tokenizer, not the HTML spec, because its output must equal the tree's:
// comments end at "-->" (also "<!-->", "<!--->"), "<![CDATA[" at "]]>", other "<!" and "<?" at ">";
// script, style, title, textarea and xmp hold text up to "</name" followed by ">" or whitespace (not
// when self-closed); attribute values in double, single or no quotes, the first of a name wins; an
// end tag runs to the next ">"; a tag cut off by the end of the body makes no element. Only values
// of href attributes are read, as spans of the bytes (hrefText() decodes one as the tree would: the
// page's charset, then character references in attribute mode). ASCII bytes mean ASCII in every
// charset this scan reads directly; UTF-16 pages are transcoded to UTF-8 first. It reads the bytes
// themselves: a string of the whole page (100 KB a page, say) would be the biggest allocation of a
// --links crawl, and young-generation growth shows in its peak RSS.
// wasm/linkscan.ts is this scan in WebAssembly, what --links runs where it can (links-wasm.ts): this
// one is its specification, and the path taken without WebAssembly SIMD.
import { decodeHTMLAttribute } from 'entities';
import { decoderFor, type Decoder } from './decode.js';
import { BANG, DASH, DQUOTE, EQ, GT, LBRACKET, LT, QMARK, SLASH, SQUOTE } from './bytes.js';

export interface ScannedLinks {
  /** The page's bytes the spans index (the body, or its UTF-8 transcoding for a UTF-16 page). */
  bytes: Buffer;
  /** Its decoder (UTF-8 for a transcoded page). */
  decoder: Decoder;
  /**
   * The a/area href values in document order, as [from, to) pairs of offsets into `bytes`: value k is
   * bytes[spans[2k], spans[2k + 1]) (raw: hrefText() decodes and trims it). Reused by the next scan.
   */
  spans: Int32Array;
  /** Values in spans. */
  count: number;
  /** The first <base> with an href: its value's span, or -1 (no base). */
  baseFrom: number;
  baseTo: number;
}

const COMMENT_END = '-->';
const CDATA_END = ']]>';
const CDATA = 'CDATA[';
const UTF8 = decoderFor('utf-8')!;
/** The value spans of the last scan; reused, grown as needed. */
let spans = new Int32Array(2 * 1024);

/** htmlparser2's whitespace: space, \n, \t, \f, \r. */
const WS = 1;
/** Ends a tag or attribute name: whitespace, "/", ">". */
const NAME_END = 2;
/** Ends an unquoted value: whitespace, ">". */
const VALUE_END = 4;
/** Ends an attribute name: NAME_END or "=". */
const ATTR_END = 8;
const CLASS = new Uint8Array(256);
for (const c of [0x20, 0x0a, 0x09, 0x0c, 0x0d]) CLASS[c] = WS | NAME_END | VALUE_END | ATTR_END;
CLASS[SLASH] = NAME_END | ATTR_END;
CLASS[GT] = NAME_END | VALUE_END | ATTR_END;
CLASS[EQ] = ATTR_END;

function isAlpha(c: number | undefined): boolean {
  return c !== undefined && (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
}

/** Bytes find() looks at in JS for the next "<", quote or declaration end: measured best at 4 on the bench's pages. */
const NEAR = 4;
/** The same for the ">" of an end tag (findEndTag), which is rarely far ("</a>", "</code>"). */
const NEAR_END_TAG = 16;

/**
 * Index of byte `c` in b[from, end), or -1: a JS loop over the first NEAR bytes, then Buffer#indexOf
 * (memchr). Most gaps between tags are a few bytes ("</li>\n<li>"); a call into C++ costs as much as
 * a few dozen bytes of loop, and a loop over a long run of text more.
 */
function find(b: Buffer, c: number, from: number, end: number): number {
  const stop = Math.min(end, from + NEAR);
  for (let i = from; i < stop; i++) if (b[i] === c) return i;
  if (stop === end) return -1;
  const j = b.indexOf(c, stop);
  return j === -1 || j >= end ? -1 : j;
}

/** find() for the ">" of an end tag, with a longer loop first. */
function findEndTag(b: Buffer, from: number, end: number): number {
  const stop = Math.min(end, from + NEAR_END_TAG);
  for (let i = from; i < stop; i++) if (b[i] === GT) return i;
  if (stop === end) return -1;
  const j = b.indexOf(GT, stop);
  return j === -1 || j >= end ? -1 : j;
}

function findSeq(b: Buffer, seq: string, from: number, end: number): number {
  const j = b.indexOf(seq, from, 'latin1');
  return j === -1 || j + seq.length > end ? -1 : j;
}

/** Does b hold the ASCII string `s` at `at`? */
function has(b: Buffer, s: string, at: number): boolean {
  if (at + s.length > b.length) return false;
  for (let k = 0; k < s.length; k++) if (b[at + k] !== s.charCodeAt(k)) return false;
  return true;
}

/** Elements whose content is text to htmlparser2, by name length then bytes. */
const SPECIAL = ['script', 'style', 'title', 'textarea', 'xmp'];

/** Tag kinds the scan distinguishes. */
const enum Tag {
  Other,
  Link, // a, area
  Base,
  Special,
}

/** The kind of the tag named t[from, to); for a special one, `SPECIAL_NAME.at` is set to its name. */
function tagKind(b: Buffer, from: number, to: number): Tag {
  const len = to - from;
  const c0 = b[from]! | 0x20;
  if (len === 1) return c0 === 0x61 ? Tag.Link : Tag.Other;
  if (len === 4) {
    const c1 = b[from + 1]! | 0x20;
    const c2 = b[from + 2]! | 0x20;
    const c3 = b[from + 3]! | 0x20;
    if (c0 === 0x61 && c1 === 0x72 && c2 === 0x65 && c3 === 0x61) return Tag.Link; // area
    if (c0 === 0x62 && c1 === 0x61 && c2 === 0x73 && c3 === 0x65) return Tag.Base; // base
    return Tag.Other;
  }
  if (len < 3 || len > 8 || (c0 !== 0x73 && c0 !== 0x74 && c0 !== 0x78)) return Tag.Other;
  next: for (const name of SPECIAL) {
    if (name.length !== len) continue;
    for (let k = 0; k < len; k++) if ((b[from + k]! | 0x20) !== name.charCodeAt(k)) continue next;
    SPECIAL_NAME.at = name;
    return Tag.Special;
  }
  return Tag.Other;
}

const SPECIAL_NAME: { at: string } = { at: SPECIAL[0]! };

/** Is t[from, to) "href" in any case? */
function isHref(b: Buffer, from: number, to: number): boolean {
  return to - from === 4 && (b[from]! | 0x20) === 0x68 && (b[from + 1]! | 0x20) === 0x72 && (b[from + 2]! | 0x20) === 0x65 && (b[from + 3]! | 0x20) === 0x66;
}

/** The index after "</name" + (">" or whitespace) that ends a special element's text, i.e. of that "<", or -1. */
function specialEnd(b: Buffer, name: string, from: number, end: number): number {
  let i = from;
  for (;;) {
    const lt = find(b, LT, i, end);
    if (lt === -1) return -1;
    const stop = lt + 2 + name.length;
    if (stop < end && b[lt + 1]! === SLASH) {
      let k = 0;
      while (k < name.length && (b[lt + 2 + k]! | 0x20) === name.charCodeAt(k)) k++;
      if (k === name.length && (b[stop]! === GT || (CLASS[b[stop]!]! & WS) !== 0)) return lt;
    }
    i = lt + 1;
  }
}

/** The scan's state for one page. */
class Scan {
  /** Entries used in spans (two a value). */
  used = 0;
  baseFrom = -1;
  baseTo = -1;
  /** Set by tag(): was the tag just read self-closing ("/" then ">")? */
  selfClosing = false;

  constructor(private readonly b: Buffer, private readonly end: number) {}

  /**
   * Reads the attributes of a start tag from `p` (just past its name) to its ">"; returns the index
   * after ">" or -1 at the end of the body. For a link or base, the first href is taken.
   */
  tag(p: number, kind: Tag): number {
    const { b, end } = this;
    // The first href's value span; hs === -1 while there is none.
    let hs = -1;
    let he = -1;
    this.selfClosing = false;
    while (p < end) {
      const c = b[p]!;
      if (c === GT) {
        if (hs !== -1) this.take(kind, hs, he);
        return p + 1;
      }
      if (c === SLASH) {
        p++;
        while (p < end && (CLASS[b[p]!]! & WS) !== 0) p++;
        if (p < end && b[p]! === GT) {
          this.selfClosing = true;
          if (hs !== -1) this.take(kind, hs, he);
          return p + 1;
        }
        continue;
      }
      if ((CLASS[c]! & WS) !== 0) {
        p++;
        continue;
      }
      // An attribute name: its first character is anything that got here (even "="), then up to
      // "=", whitespace, "/" or ">".
      const nameStart = p;
      p++;
      while (p < end && (CLASS[b[p]!]! & ATTR_END) === 0) p++;
      const nameEnd = p;
      while (p < end && (CLASS[b[p]!]! & WS) !== 0) p++;
      if (p >= end) return -1;
      const wanted = hs === -1 && (kind === Tag.Link || kind === Tag.Base) && isHref(b, nameStart, nameEnd);
      if (b[p]! !== EQ) {
        if (wanted) hs = he = 0; // no value: ""
        continue;
      }
      p++;
      while (p < end && (CLASS[b[p]!]! & WS) !== 0) p++;
      if (p >= end) return -1;
      const q = b[p]!;
      let vs: number;
      let ve: number;
      if (q === DQUOTE || q === SQUOTE) {
        const close = find(b, q, p + 1, end);
        if (close === -1) return -1;
        vs = p + 1;
        ve = close;
        p = close + 1;
      } else {
        vs = p;
        while (p < end && (CLASS[b[p]!]! & VALUE_END) === 0) p++;
        ve = p;
      }
      if (wanted) {
        hs = vs;
        he = ve;
      }
    }
    return -1;
  }

  /** Records the href value b[from, to) of a link, or of the first base. */
  private take(kind: Tag, from: number, to: number): void {
    if (kind === Tag.Link) {
      if (this.used + 2 > spans.length) {
        const bigger = new Int32Array(2 * spans.length);
        bigger.set(spans);
        spans = bigger;
      }
      spans[this.used] = from;
      spans[this.used + 1] = to;
      this.used += 2;
    } else if (this.baseFrom === -1) {
      this.baseFrom = from;
      this.baseTo = to;
    }
  }

  run(): void {
    const { b, end } = this;
    let i = 0;
    while (i < end) {
      const lt = find(b, LT, i, end);
      if (lt === -1) return;
      const c = b[lt + 1]!;
      if (c === undefined || lt + 1 >= end) return;
      if (c === BANG) {
        const d = b[lt + 2]!;
        let close: number;
        if (d === DASH && b[lt + 3]! === DASH) {
          const at = findSeq(b, COMMENT_END, lt + 2, end);
          close = at === -1 ? -1 : at + 3;
        } else if (d === LBRACKET && has(b, CDATA, lt + 3) && lt + 9 <= end) {
          const at = findSeq(b, CDATA_END, lt + 9, end);
          close = at === -1 ? -1 : at + 3;
        } else {
          // A declaration; the character after "<!" (after "<!-" when a dash follows) is never its end.
          const gt = find(b, GT, d === DASH ? lt + 4 : lt + 3, end);
          close = gt === -1 ? -1 : gt + 1;
        }
        if (close === -1) return;
        i = close;
        continue;
      }
      if (c === QMARK || c === SLASH) {
        const gt = findEndTag(b, lt + 2, end);
        if (gt === -1) return;
        i = gt + 1;
        continue;
      }
      if (!isAlpha(c)) {
        i = lt + 1;
        continue;
      }
      let q = lt + 2;
      while (q < end && (CLASS[b[q]!]! & NAME_END) === 0) q++;
      if (q >= end) return;
      const kind = tagKind(b, lt + 1, q);
      if (kind === Tag.Other && b[q]! === GT) {
        i = q + 1; // <p>, <li>, <code>: most tags end right after their name
        continue;
      }
      const special = SPECIAL_NAME.at;
      const after = this.tag(q, kind);
      if (after === -1) return;
      i = after;
      if (kind === Tag.Special && !this.selfClosing) {
        const close = specialEnd(b, special, i, end);
        if (close === -1) return;
        i = close;
      }
    }
  }
}

/** The bytes a scan reads for `body` and their decoder: the body itself, or a UTF-16 page in UTF-8. */
export function scannable(body: Buffer, decoder: Decoder): { bytes: Buffer; decoder: Decoder } {
  if (decoder.encoding === 'utf-16le' || decoder.encoding === 'utf-16be') return { bytes: Buffer.from(decoder.decode(body), 'utf8'), decoder: UTF8 };
  return { bytes: body, decoder };
}

/** The href values and base href cheerio's tree of `body` (decoded with `decoder`) would hold. */
export function scanLinks(body: Buffer, decoder: Decoder): ScannedLinks {
  const { bytes, decoder: dec } = scannable(body, decoder);
  const scan = new Scan(bytes, bytes.length);
  scan.run();
  return { bytes, decoder: dec, spans, count: scan.used >> 1, baseFrom: scan.baseFrom, baseTo: scan.baseTo };
}

/** The value bytes[from, to) as the tree holds it: decoded, character references replaced, trimmed. */
export function hrefText(bytes: Buffer, from: number, to: number, decoder: Decoder): string {
  let ascii = true;
  let amp = false;
  for (let i = from; i < to; i++) {
    const c = bytes[i]!;
    if (c >= 0x80) ascii = false;
    else if (c === 0x26) amp = true;
  }
  let s = ascii ? bytes.toString('latin1', from, to) : decoder.decode(bytes.subarray(from, to));
  if (amp) s = decodeHTMLAttribute(s);
  return s.trim();
}
