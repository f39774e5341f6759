// The page title as a browser's document.title gives it, from a scan of the raw bytes (no DOM): the
// first <title> start tag that the HTML tokenizer would see as a tag in the document, i.e. not inside
// a comment, a quoted attribute value, the raw text of <script>/<style>/<textarea>/…, nor in the
// inert or foreign subtrees <template>, <svg> and <math>. Only the title's bytes are decoded (with
// the page's charset); character references are decoded as the HTML spec says (the `entities`
// package's HTML5 table; numeric ones with its windows-1252 and U+FFFD rules); ASCII whitespace is
// stripped and collapsed (U+00A0 is kept), and the result never holds a lone surrogate.
import { decodeHTML } from 'entities';
import { decoderFor, WINDOWS_1252, type Decoder } from './decode.js';
import { BANG, DASH, DQUOTE, EQ, GT, LT, QMARK, SLASH, SQUOTE } from './bytes.js';

const HTML_TYPE = /^\s*(text\/html|application\/xhtml\+xml)/i;
const HTML_SNIFF = /^\s*(<!doctype\s+html|<html|<head|<title)/i;
const ASCII_SPACES = /[\t\n\f\r ]+/g;
const EDGE_SPACES = /^[\t\n\f\r ]+|[\t\n\f\r ]+$/g;
const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** A title is in the head; do not scan a huge body for one. */
const SCAN_BYTES = 256 * 1024;
const UTF8 = decoderFor('utf-8')!;

export function isHtml(contentType: string | null, body: Buffer): boolean {
  if (contentType) return HTML_TYPE.test(contentType);
  return HTML_SNIFF.test(body.toString('latin1', 0, Math.min(body.length, 512)).replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, ''));
}

/** The collapsed title, '' for an empty one, or null when the document has no <title>; `charset` a decoder or its label. */
export function extractTitle(body: Buffer, charset: Decoder | string): string | null {
  const decoder = typeof charset === 'string' ? (decoderFor(charset) ?? WINDOWS_1252) : charset;
  if (decoder.encoding === 'utf-16le' || decoder.encoding === 'utf-16be') {
    // The scan reads ASCII bytes; UTF-16 pages are rare enough to decode and scan as UTF-8.
    return extractTitle(Buffer.from(decoder.decode(body.subarray(0, SCAN_BYTES)), 'utf8'), UTF8);
  }
  const span = findTitle(body, Math.min(body.length, SCAN_BYTES));
  return span ? clean(decoder.decode(body.subarray(span[0], span[1]))) : null;
}

function clean(raw: string): string {
  let s = raw.includes('&') ? decodeHTML(raw) : raw;
  s = s.replace(EDGE_SPACES, '').replace(ASCII_SPACES, ' ');
  return SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '\ufffd') : s;
}

// ── the byte scan ──────────────────────────────────────────────────────────────────────────────

const COMMENT_END = Buffer.from('-->', 'latin1');
const BANG_END = Buffer.from('--!>', 'latin1');

/** What a start tag means to the scan. */
const enum Kind {
  Other,
  Title,
  /** Its content is text up to the matching end tag (script, style, textarea, …). */
  Text,
  /** Its subtree is not the document's (template) or is foreign (svg, math). */
  Inert,
  /** Everything after it is text. */
  Plaintext,
}

const KINDS = new Map<string, Kind>([
  ['title', Kind.Title],
  ['script', Kind.Text],
  ['style', Kind.Text],
  ['textarea', Kind.Text],
  ['xmp', Kind.Text],
  ['iframe', Kind.Text],
  ['noembed', Kind.Text],
  ['noframes', Kind.Text],
  ['noscript', Kind.Text],
  ['template', Kind.Inert],
  ['svg', Kind.Inert],
  ['math', Kind.Inert],
  ['plaintext', Kind.Plaintext],
]);
/** The names above by length, as bytes, for an allocation-free compare. */
const BY_LENGTH: Buffer[][] = [];
for (const name of KINDS.keys()) (BY_LENGTH[name.length] ??= []).push(Buffer.from(name, 'latin1'));

/**
 * Index of byte `c` in b[from, end), or -1. The next one is usually a few bytes away, where a JS loop
 * beats Buffer#indexOf's call overhead (~100 ns); farther, the native search takes over.
 */
function find(b: Buffer, c: number, from: number, end: number): number {
  const near = Math.min(end, from + 64);
  for (let i = from; i < near; i++) if (b[i] === c) return i;
  if (near >= end) return -1;
  const j = b.indexOf(c, near);
  return j === -1 || j >= end ? -1 : j;
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0c || c === 0x0d;
}

function isAlpha(c: number | undefined): boolean {
  return c !== undefined && ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}

/** The lower-cased tag name in b[from, to) when it is one the scan cares about, else ''. */
function nameAt(b: Buffer, from: number, to: number): string {
  const candidates = BY_LENGTH[to - from];
  if (candidates === undefined) return '';
  next: for (const name of candidates) {
    for (let k = 0; k < name.length; k++) if ((b[from + k]! | 0x20) !== name[k]) continue next;
    return name.toString('latin1');
  }
  return '';
}

/** End of the tag name that starts at `p`. */
function nameEnd(b: Buffer, p: number, end: number): number {
  while (p < end && (CLASS[b[p]!]! & TAG_NAME_STOP) === 0) p++;
  return p;
}

/** Byte classes for the attribute walk: one table look-up per byte. */
const SPACE = 1;
const NAME_STOP = 2; // space, "/", ">", "="
const VALUE_STOP = 4; // space, ">"
const TAG_NAME_STOP = 8; // space, "/", ">"
const CLASS = new Uint8Array(256);
for (const c of [0x20, 0x0a, 0x09, 0x0c, 0x0d]) CLASS[c] = SPACE | NAME_STOP | VALUE_STOP | TAG_NAME_STOP;
CLASS[SLASH] = NAME_STOP | TAG_NAME_STOP;
CLASS[EQ] = NAME_STOP;
CLASS[GT] = NAME_STOP | VALUE_STOP | TAG_NAME_STOP;

/** Index of the `>` that ends a tag whose attributes start at `p` (quoted values skipped), or -1. */
function tagEnd(b: Buffer, p: number, end: number): number {
  while (p < end) {
    const c = b[p]!;
    if (c === GT) return p;
    if (c === SLASH || (CLASS[c]! & SPACE) !== 0) {
      p++;
      continue;
    }
    // An attribute name (its first character may be "="), then maybe "=" and a value.
    p++;
    while (p < end && (CLASS[b[p]!]! & NAME_STOP) === 0) p++;
    while (p < end && (CLASS[b[p]!]! & SPACE) !== 0) p++;
    if (b[p] !== EQ) continue;
    p++;
    while (p < end && (CLASS[b[p]!]! & SPACE) !== 0) p++;
    const q = b[p];
    if (q === DQUOTE || q === SQUOTE) {
      const close = find(b, q, p + 1, end);
      if (close === -1) return -1;
      p = close + 1;
    } else {
      while (p < end && (CLASS[b[p]!]! & VALUE_STOP) === 0) p++;
    }
  }
  return -1;
}

/** Index of `</name` ending the text of element `name` (followed by space, "/" or ">"), or -1. */
function endTag(b: Buffer, name: string, from: number, end: number): number {
  let i = from;
  while (i < end) {
    const lt = find(b, LT, i, end);
    if (lt === -1) return -1;
    if (b[lt + 1] === SLASH) {
      const stop = lt + 2 + name.length;
      if (stop <= end && b.toString('latin1', lt + 2, stop).toLowerCase() === name) {
        const c = b[stop];
        if (c === undefined || stop === end || isSpace(c) || c === SLASH || c === GT) return lt;
      }
    }
    i = lt + 1;
  }
  return -1;
}

/** The byte span of the document's title text in b[0, end), or null. */
export function findTitle(b: Buffer, end: number): [number, number] | null {
  let inert = '';
  let depth = 0;
  let i = 0;
  while (i < end) {
    const lt = find(b, LT, i, end);
    if (lt === -1) return null;
    const c = b[lt + 1];
    if (c === BANG) {
      if (b[lt + 2] === DASH && b[lt + 3] === DASH) {
        // A comment: "<!-->" and "<!--->" end at once; otherwise at "-->" (or "--!>").
        const j = lt + 4;
        if (b[j] === GT) i = j + 1;
        else if (b[j] === DASH && b[j + 1] === GT) i = j + 2;
        else {
          const close = commentEnd(b, j, end);
          if (close === -1) return null;
          i = close;
        }
        continue;
      }
      // A doctype, CDATA section or bogus comment: to the next ">".
      const gt = find(b, GT, lt + 2, end);
      if (gt === -1) return null;
      i = gt + 1;
      continue;
    }
    if (c === QMARK) {
      const gt = find(b, GT, lt + 2, end);
      if (gt === -1) return null;
      i = gt + 1;
      continue;
    }
    const closing = c === SLASH;
    const p = closing ? lt + 2 : lt + 1;
    if (!isAlpha(b[p])) {
      // "<" as text, or "</>"; "</1…" is a bogus comment to the next ">".
      if (closing && b[p] !== GT) {
        const gt = find(b, GT, p, end);
        if (gt === -1) return null;
        i = gt + 1;
      } else {
        i = p;
      }
      continue;
    }
    const q = nameEnd(b, p, end);
    const gt = tagEnd(b, q, end);
    if (gt === -1) return null;
    i = gt + 1;
    const name = nameAt(b, p, q);
    if (name === '') continue;
    if (closing) {
      if (inert !== '' && name === inert && --depth === 0) inert = '';
      continue;
    }
    const kind = KINDS.get(name);
    if (kind === Kind.Inert) {
      if (b[gt - 1] === SLASH && name !== 'template') continue; // <svg/>
      if (inert === '') {
        inert = name;
        depth = 1;
      } else if (name === inert) {
        depth++;
      }
      continue;
    }
    if (kind === Kind.Plaintext) return null;
    if (kind === Kind.Title || kind === Kind.Text) {
      const close = endTag(b, name, i, end);
      if (kind === Kind.Title && inert === '') return [i, close === -1 ? end : close];
      if (close === -1) return null;
      i = close;
    }
  }
  return null;
}

/** Index just past the "-->" or "--!>" that ends a comment whose text starts at `from`, or -1. */
function commentEnd(b: Buffer, from: number, end: number): number {
  let a = b.indexOf(COMMENT_END, from);
  if (a >= end) a = -1;
  const d = b.subarray(from, a === -1 ? end : a).indexOf(BANG_END);
  if (d !== -1) return from + d + 4;
  return a === -1 ? -1 : a + 3;
}
