// The page title from a light scan of the raw bytes (no DOM): find <title>…</title> in the
// latin1 view, decode only those bytes with the page's charset, unescape entities, collapse spaces.
import { TextDecoder } from 'node:util';
import { FetchError } from '../fetch/errors.js';

const TITLE_OPEN = /<title\b[^>]*>/i;
const TITLE_CLOSE = /<\/title\s*>/i;
const HTML_TYPE = /^\s*(text\/html|application\/xhtml\+xml)/i;
const HTML_SNIFF = /^\s*(<!doctype\s+html|<html|<head|<title)/i;
const ENTITY = /&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi;
const SPACES = /\s+/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', mdash: '—', ndash: '–', hellip: '…', laquo: '«', raquo: '»', copy: '©', reg: '®', trade: '™', middot: '·' };
/** A title is in the head; do not scan a huge body for one. */
const SCAN_BYTES = 256 * 1024;

const decoders = new Map<string, TextDecoder>();

/** A cached decoder for `label`; throws EBODY for a charset no decoder knows. */
export function decoderFor(label: string): TextDecoder {
  const key = label.toLowerCase();
  let d = decoders.get(key);
  if (!d) {
    try {
      d = new TextDecoder(key);
    } catch {
      throw new FetchError('EBODY', `unknown charset "${label.slice(0, 40)}"`);
    }
    decoders.set(key, d);
  }
  return d;
}

export function isHtml(contentType: string | null, body: Buffer): boolean {
  if (contentType) return HTML_TYPE.test(contentType);
  return HTML_SNIFF.test(body.toString('latin1', 0, Math.min(body.length, 512)).replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, ''));
}

function unescape(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (whole, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return NAMED[e.toLowerCase()] ?? whole;
  });
}

const OPEN_TAG = Buffer.from('<title', 'latin1');
const CLOSE_TAG = Buffer.from('</title', 'latin1');

/** Index of `needle` in body[from, to), searched natively in the bytes (no string copy), or -1. */
function indexIn(body: Buffer, needle: Buffer, from: number, to: number): number {
  const i = body.indexOf(needle, from);
  return i !== -1 && i < to ? i : -1;
}

/** The collapsed title, '' for an empty one, or null when there is no <title>. */
export function extractTitle(body: Buffer, charset: string): string | null {
  const decoder = decoderFor(charset);
  if (charset.toLowerCase().startsWith('utf-16')) return titleIn(decoder.decode(body.subarray(0, SCAN_BYTES)));
  const end = Math.min(body.length, SCAN_BYTES);
  // Fast path: lower-case tags, found in the bytes. Other casings (<TITLE>) fall back to a regex.
  let open = indexIn(body, OPEN_TAG, 0, end);
  let from: number;
  if (open !== -1) {
    const gt = body.indexOf(62 /* > */, open);
    const next = body[open + 6];
    // `<title>` or `<title attr>`, not `<titles>`
    if (gt === -1 || (next !== 62 && next !== 32 && next !== 9 && next !== 10 && next !== 13 && next !== 47)) open = -1;
    from = gt + 1;
  } else {
    from = -1;
  }
  if (open === -1) {
    const head = body.toString('latin1', 0, end);
    const m = TITLE_OPEN.exec(head);
    if (!m) return null;
    from = m.index + m[0].length;
    const close = TITLE_CLOSE.exec(head.slice(from));
    return clean(decoder.decode(body.subarray(from, close ? from + close.index : end)));
  }
  let to = indexIn(body, CLOSE_TAG, from, end);
  if (to === -1) {
    const close = TITLE_CLOSE.exec(body.toString('latin1', from, end));
    to = close ? from + close.index : end;
  }
  return clean(decoder.decode(body.subarray(from, to)));
}

function titleIn(text: string): string | null {
  const open = TITLE_OPEN.exec(text);
  if (!open) return null;
  const rest = text.slice(open.index + open[0].length);
  const close = TITLE_CLOSE.exec(rest);
  return clean(close ? rest.slice(0, close.index) : rest);
}

function clean(raw: string): string {
  return unescape(raw).replace(SPACES, ' ').trim();
}
