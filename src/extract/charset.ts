// Finds a page's character encoding the way browsers do (the HTML spec's "determining the character
// encoding"), in order: BOM, Content-Type charset, then a <meta charset> / <meta http-equiv> in the
// first 1024 bytes. A meta saying UTF-16 means UTF-8 (the page was readable as ASCII to get there)
// and a meta saying x-user-defined means windows-1252. A label no encoding has is skipped; when one
// was given but none was usable the page is windows-1252 (the spec's fallback); with no label at all, UTF-8.
import { decoderFor, WINDOWS_1252, type Decoder } from './decode.js';

const CHARSET_PARAM = /;\s*charset\s*=\s*"?([^";\s]+)/i;
const META_CHARSET = /<meta[^>]+?charset\s*=\s*["']?\s*([-\w.:]+)/i;
const PRESCAN_BYTES = 1024;

export function charsetFromContentType(contentType: string | null): string | undefined {
  if (!contentType) return undefined;
  const m = CHARSET_PARAM.exec(contentType);
  return m ? m[1] : undefined;
}

export function charsetFromBom(body: Buffer): string | undefined {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  return undefined;
}

export function charsetFromMeta(body: Buffer): string | undefined {
  const head = body.toString('latin1', 0, Math.min(body.length, PRESCAN_BYTES));
  const m = META_CHARSET.exec(head);
  return m ? m[1] : undefined;
}

/**
 * The encoding label for `body`: the one its BOM, Content-Type or meta gives (as written), or
 * "utf-8" / "windows-1252" where the rules above substitute one. decoderFor() knows every label this
 * returns.
 */
export function detectCharset(body: Buffer, contentType: string | null): string {
  const bom = charsetFromBom(body);
  if (bom) return bom;
  let labelled = false;
  const header = charsetFromContentType(contentType);
  if (header !== undefined) {
    if (decoderFor(header)) return header;
    labelled = true;
  }
  const meta = charsetFromMeta(body);
  if (meta !== undefined) {
    const d = decoderFor(meta);
    if (d) {
      if (d.encoding === 'utf-16le' || d.encoding === 'utf-16be') return 'utf-8';
      if (d.encoding === 'x-user-defined') return 'windows-1252';
      return meta;
    }
    labelled = true;
  }
  return labelled ? 'windows-1252' : 'utf-8';
}

/** The decoder for `body` (detectCharset's label, decoded). */
export function detectDecoder(body: Buffer, contentType: string | null): Decoder {
  return decoderFor(detectCharset(body, contentType)) ?? WINDOWS_1252;
}
