// --links without a document tree: a scan of the raw bytes that finds exactly the hrefs of <a> and
// <area> and the first <base href> that cheerio's tree (htmlparser2, dom.ts) holds, in document order.
// It follows htmlparser2's tokenizer, not the HTML spec, because its output must equal the tree's:
// comments end at "-->" (also "<!-->", "<!--->"), "<![CDATA[" at "]]>", other "<!" and "<?" at ">";
// script, style, title, textarea and xmp hold text up to "</name" followed by ">" or whitespace (not
// when self-closed); attribute values in double, single or no quotes, the first of a name wins; an
// end tag runs to the next ">"; a tag cut off by the end of the body makes no element. Only values
// of href attributes are decoded (the page's charset, then character references in attribute mode).
// ASCII bytes mean ASCII in every charset this scan reads directly; UTF-16 pages are decoded first.
import { decodeHTMLAttribute } from 'entities';
import { decoderFor, type Decoder } from './decode.js';

export interface ScannedLinks {
  /** a/area href values, trimmed, in document order. */
  hrefs: string[];
  /** The first <base> with an href, trimmed. */
  baseHref: string | undefined;
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const DASH = 0x2d;
const QMARK = 0x3f;
const EQ = 0x3d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const LBRACKET = 0x5b;
const COMMENT_END = Buffer.from('-->', 'latin1');
const CDATA_END = Buffer.from(']]>', 'latin1');
const CDATA = Buffer.from('CDATA[', 'latin1');
const UTF8 = decoderFor('utf-8')!;

/** htmlparser2's whitespace: space, \n, \t, \f, \r. */
const WS = 1;
/** Ends a tag or attribute name: whitespace, "/", ">". */
const NAME_END = 2;
/** Ends an unquoted value: whitespace, ">". */
const VALUE_END = 4;
const CLASS = new Uint8Array(256);
for (const c of [0x20, 0x0a, 0x09, 0x0c, 0x0d]) CLASS[c] = WS | NAME_END | VALUE_END;
CLASS[SLASH] = NAME_END;
CLASS[GT] = NAME_END | VALUE_END;

function isAlpha(c: number | undefined): boolean {
  return c !== undefined && (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
}

/** Index of byte `c` in b[from, end), or -1; a JS loop for the next few bytes, then the native search. */
function find(b: Buffer, c: number, from: number, end: number): number {
  const near = Math.min(end, from + 32);
  for (let i = from; i < near; i++) if (b[i] === c) return i;
  if (near >= end) return -1;
  const j = b.indexOf(c, near);
  return j === -1 || j >= end ? -1 : j;
}

function findSeq(b: Buffer, seq: Buffer, from: number, end: number): number {
  const j = b.indexOf(seq, from);
  return j === -1 || j + seq.length > end ? -1 : j;
}

/** Elements whose content is text to htmlparser2, by name length then bytes. */
const SPECIAL = ['script', 'style', 'title', 'textarea', 'xmp'].map((n) => Buffer.from(n, 'latin1'));

/** Tag kinds the scan distinguishes. */
const enum Tag {
  Other,
  Link, // a, area
  Base,
  Special,
}

function tagKind(b: Buffer, from: number, to: number): { kind: Tag; special?: Buffer } {
  const len = to - from;
  const c0 = b[from]! | 0x20;
  if (len === 1) return { kind: c0 === 0x61 ? Tag.Link : Tag.Other };
  if (len === 4) {
    const s = b.toString('latin1', from, to).toLowerCase();
    if (s === 'area') return { kind: Tag.Link };
    if (s === 'base') return { kind: Tag.Base };
    return { kind: Tag.Other };
  }
  if (len < 3 || len > 8 || (c0 !== 0x73 && c0 !== 0x74 && c0 !== 0x78)) return { kind: Tag.Other };
  next: for (const name of SPECIAL) {
    if (name.length !== len) continue;
    for (let k = 0; k < len; k++) if ((b[from + k]! | 0x20) !== name[k]) continue next;
    return { kind: Tag.Special, special: name };
  }
  return { kind: Tag.Other };
}

/** Is b[from, from+4) "href" in any case? */
function isHref(b: Buffer, from: number, to: number): boolean {
  return to - from === 4 && (b[from]! | 0x20) === 0x68 && (b[from + 1]! | 0x20) === 0x72 && (b[from + 2]! | 0x20) === 0x65 && (b[from + 3]! | 0x20) === 0x66;
}

/** The index after "</name" + (">" or whitespace) that ends a special element's text, i.e. of that "<", or -1. */
function specialEnd(b: Buffer, name: Buffer, from: number, end: number): number {
  let i = from;
  for (;;) {
    const lt = find(b, LT, i, end);
    if (lt === -1) return -1;
    const stop = lt + 2 + name.length;
    if (stop < end && b[lt + 1] === SLASH) {
      let k = 0;
      while (k < name.length && (b[lt + 2 + k]! | 0x20) === name[k]) k++;
      if (k === name.length && (b[stop] === GT || (CLASS[b[stop]!]! & WS) !== 0)) return lt;
    }
    i = lt + 1;
  }
}

/** The scan's state for one page. */
class Scan {
  readonly hrefs: string[] = [];
  baseHref: string | undefined;
  /** Set by tag(): was the tag just read self-closing ("/" then ">")? */
  selfClosing = false;

  constructor(private readonly b: Buffer, private readonly end: number, private readonly decoder: Decoder) {}

  private value(from: number, to: number): string {
    const { b } = this;
    let ascii = true;
    for (let i = from; i < to; i++) if (b[i]! >= 0x80) { ascii = false; break; }
    let s = ascii ? b.toString('latin1', from, to) : this.decoder.decode(b.subarray(from, to));
    if (s.includes('&')) s = decodeHTMLAttribute(s);
    return s.trim();
  }

  /**
   * Reads the attributes of a start tag from `p` (just past its name) to its ">"; returns the index
   * after ">" or -1 at the end of the body. For a link or base, the first href is taken.
   */
  tag(p: number, kind: Tag): number {
    const { b, end } = this;
    let href: [number, number] | undefined;
    this.selfClosing = false;
    while (p < end) {
      const c = b[p]!;
      if (c === GT) {
        if (href && kind !== Tag.Other) this.take(kind, href);
        return p + 1;
      }
      if (c === SLASH) {
        p++;
        while (p < end && (CLASS[b[p]!]! & WS) !== 0) p++;
        if (p < end && b[p] === GT) {
          this.selfClosing = true;
          if (href && kind !== Tag.Other) this.take(kind, href);
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
      while (p < end && b[p] !== EQ && (CLASS[b[p]!]! & NAME_END) === 0) p++;
      const nameEnd = p;
      while (p < end && (CLASS[b[p]!]! & WS) !== 0) p++;
      if (p >= end) return -1;
      const wanted = kind !== Tag.Other && href === undefined && isHref(b, nameStart, nameEnd);
      if (b[p] !== EQ) {
        if (wanted) href = [0, 0]; // no value: ""
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
      if (wanted) href = [vs, ve];
    }
    return -1;
  }

  private take(kind: Tag, [from, to]: [number, number]): void {
    const v = from === to ? '' : this.value(from, to);
    if (kind === Tag.Link) this.hrefs.push(v);
    else this.baseHref ??= v;
  }

  run(): void {
    const { b, end } = this;
    let i = 0;
    while (i < end) {
      const lt = find(b, LT, i, end);
      if (lt === -1) return;
      const c = b[lt + 1];
      if (c === undefined || lt + 1 >= end) return;
      if (c === BANG) {
        const d = b[lt + 2];
        let close: number;
        if (d === DASH && b[lt + 3] === DASH) {
          const at = findSeq(b, COMMENT_END, lt + 2, end);
          close = at === -1 ? -1 : at + 3;
        } else if (d === LBRACKET && b.subarray(lt + 3, lt + 9).equals(CDATA)) {
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
        const gt = find(b, GT, lt + 2, end);
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
      const { kind, special } = tagKind(b, lt + 1, q);
      const after = this.tag(q, kind);
      if (after === -1) return;
      i = after;
      if (kind === Tag.Special && !this.selfClosing) {
        const close = specialEnd(b, special!, i, end);
        if (close === -1) return;
        i = close;
      }
    }
  }
}

/** The hrefs and base href cheerio's tree of `body` (decoded with `decoder`) would give. */
export function scanLinks(body: Buffer, decoder: Decoder): ScannedLinks {
  let bytes = body;
  let dec = decoder;
  if (decoder.encoding === 'utf-16le' || decoder.encoding === 'utf-16be') {
    bytes = Buffer.from(decoder.decode(body), 'utf8');
    dec = UTF8;
  }
  const scan = new Scan(bytes, bytes.length, dec);
  scan.run();
  return { hrefs: scan.hrefs, baseHref: scan.baseHref };
}

