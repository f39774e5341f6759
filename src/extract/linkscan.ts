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
const COMMENT_END = '-->';
const CDATA_END = ']]>';
const CDATA = 'CDATA[';
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

/** Index of `c` in t[from, end), or -1 (String#indexOf: a builtin, no call into C++ as Buffer#indexOf). */
function find(t: string, c: string, from: number, end: number): number {
  const j = t.indexOf(c, from);
  return j === -1 || j >= end ? -1 : j;
}

function findSeq(t: string, seq: string, from: number, end: number): number {
  const j = t.indexOf(seq, from);
  return j === -1 || j + seq.length > end ? -1 : j;
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
function tagKind(t: string, from: number, to: number): Tag {
  const len = to - from;
  const c0 = t.charCodeAt(from) | 0x20;
  if (len === 1) return c0 === 0x61 ? Tag.Link : Tag.Other;
  if (len === 4) {
    const c1 = t.charCodeAt(from + 1) | 0x20;
    const c2 = t.charCodeAt(from + 2) | 0x20;
    const c3 = t.charCodeAt(from + 3) | 0x20;
    if (c0 === 0x61 && c1 === 0x72 && c2 === 0x65 && c3 === 0x61) return Tag.Link; // area
    if (c0 === 0x62 && c1 === 0x61 && c2 === 0x73 && c3 === 0x65) return Tag.Base; // base
    return Tag.Other;
  }
  if (len < 3 || len > 8 || (c0 !== 0x73 && c0 !== 0x74 && c0 !== 0x78)) return Tag.Other;
  next: for (const name of SPECIAL) {
    if (name.length !== len) continue;
    for (let k = 0; k < len; k++) if ((t.charCodeAt(from + k) | 0x20) !== name.charCodeAt(k)) continue next;
    SPECIAL_NAME.at = name;
    return Tag.Special;
  }
  return Tag.Other;
}

const SPECIAL_NAME: { at: string } = { at: SPECIAL[0]! };

/** Is t[from, to) "href" in any case? */
function isHref(t: string, from: number, to: number): boolean {
  return to - from === 4 && (t.charCodeAt(from) | 0x20) === 0x68 && (t.charCodeAt(from + 1) | 0x20) === 0x72 && (t.charCodeAt(from + 2) | 0x20) === 0x65 && (t.charCodeAt(from + 3) | 0x20) === 0x66;
}

/** The index after "</name" + (">" or whitespace) that ends a special element's text, i.e. of that "<", or -1. */
function specialEnd(t: string, name: string, from: number, end: number): number {
  let i = from;
  for (;;) {
    const lt = find(t, '<', i, end);
    if (lt === -1) return -1;
    const stop = lt + 2 + name.length;
    if (stop < end && t.charCodeAt(lt + 1) === SLASH) {
      let k = 0;
      while (k < name.length && (t.charCodeAt(lt + 2 + k) | 0x20) === name.charCodeAt(k)) k++;
      if (k === name.length && (t.charCodeAt(stop) === GT || (CLASS[t.charCodeAt(stop)]! & WS) !== 0)) return lt;
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

  /** The body as a Latin-1 string: one char per byte, for String#indexOf and charCodeAt. */
  private readonly t: string;

  constructor(private readonly b: Buffer, private readonly end: number, private readonly decoder: Decoder) {
    this.t = b.toString('latin1', 0, end);
  }

  private value(from: number, to: number): string {
    const { b, t } = this;
    let ascii = true;
    let amp = false;
    for (let i = from; i < to; i++) {
      const c = t.charCodeAt(i);
      if (c >= 0x80) ascii = false;
      else if (c === 0x26) amp = true;
    }
    let s = ascii ? t.slice(from, to) : this.decoder.decode(b.subarray(from, to));
    if (amp) s = decodeHTMLAttribute(s);
    return s.trim();
  }

  /**
   * Reads the attributes of a start tag from `p` (just past its name) to its ">"; returns the index
   * after ">" or -1 at the end of the body. For a link or base, the first href is taken.
   */
  tag(p: number, kind: Tag): number {
    const { t, end } = this;
    // The first href's value span; hs === -1 while there is none.
    let hs = -1;
    let he = -1;
    this.selfClosing = false;
    while (p < end) {
      const c = t.charCodeAt(p);
      if (c === GT) {
        if (hs !== -1) this.take(kind, hs, he);
        return p + 1;
      }
      if (c === SLASH) {
        p++;
        while (p < end && (CLASS[t.charCodeAt(p)]! & WS) !== 0) p++;
        if (p < end && t.charCodeAt(p) === GT) {
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
      while (p < end && t.charCodeAt(p) !== EQ && (CLASS[t.charCodeAt(p)]! & NAME_END) === 0) p++;
      const nameEnd = p;
      while (p < end && (CLASS[t.charCodeAt(p)]! & WS) !== 0) p++;
      if (p >= end) return -1;
      const wanted = hs === -1 && (kind === Tag.Link || kind === Tag.Base) && isHref(t, nameStart, nameEnd);
      if (t.charCodeAt(p) !== EQ) {
        if (wanted) hs = he = 0; // no value: ""
        continue;
      }
      p++;
      while (p < end && (CLASS[t.charCodeAt(p)]! & WS) !== 0) p++;
      if (p >= end) return -1;
      const q = t.charCodeAt(p);
      let vs: number;
      let ve: number;
      if (q === DQUOTE || q === SQUOTE) {
        const close = find(t, q === DQUOTE ? '"' : "'", p + 1, end);
        if (close === -1) return -1;
        vs = p + 1;
        ve = close;
        p = close + 1;
      } else {
        vs = p;
        while (p < end && (CLASS[t.charCodeAt(p)]! & VALUE_END) === 0) p++;
        ve = p;
      }
      if (wanted) {
        hs = vs;
        he = ve;
      }
    }
    return -1;
  }

  private take(kind: Tag, from: number, to: number): void {
    const v = from === to ? '' : this.value(from, to);
    if (kind === Tag.Link) this.hrefs.push(v);
    else this.baseHref ??= v;
  }

  run(): void {
    const { t, end } = this;
    let i = 0;
    while (i < end) {
      const lt = find(t, '<', i, end);
      if (lt === -1) return;
      const c = t.charCodeAt(lt + 1);
      if (c === undefined || lt + 1 >= end) return;
      if (c === BANG) {
        const d = t.charCodeAt(lt + 2);
        let close: number;
        if (d === DASH && t.charCodeAt(lt + 3) === DASH) {
          const at = findSeq(t, COMMENT_END, lt + 2, end);
          close = at === -1 ? -1 : at + 3;
        } else if (d === LBRACKET && t.startsWith(CDATA, lt + 3) && lt + 9 <= end) {
          const at = findSeq(t, CDATA_END, lt + 9, end);
          close = at === -1 ? -1 : at + 3;
        } else {
          // A declaration; the character after "<!" (after "<!-" when a dash follows) is never its end.
          const gt = find(t, '>', d === DASH ? lt + 4 : lt + 3, end);
          close = gt === -1 ? -1 : gt + 1;
        }
        if (close === -1) return;
        i = close;
        continue;
      }
      if (c === QMARK || c === SLASH) {
        const gt = find(t, '>', lt + 2, end);
        if (gt === -1) return;
        i = gt + 1;
        continue;
      }
      if (!isAlpha(c)) {
        i = lt + 1;
        continue;
      }
      let q = lt + 2;
      while (q < end && (CLASS[t.charCodeAt(q)]! & NAME_END) === 0) q++;
      if (q >= end) return;
      const kind = tagKind(t, lt + 1, q);
      if (kind === Tag.Other && t.charCodeAt(q) === GT) {
        i = q + 1; // <p>, <li>, <code>: most tags end right after their name
        continue;
      }
      const special = SPECIAL_NAME.at;
      const after = this.tag(q, kind);
      if (after === -1) return;
      i = after;
      if (kind === Tag.Special && !this.selfClosing) {
        const close = specialEnd(t, special, i, end);
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

