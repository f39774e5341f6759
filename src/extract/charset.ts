// Finds a page's character encoding the way browsers do, in order: BOM, Content-Type charset,
// then a <meta charset> / <meta http-equiv> in the first 1024 bytes; UTF-8 when none says.

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

/** The encoding label for `body`; TextDecoder validates it. */
export function detectCharset(body: Buffer, contentType: string | null): string {
  return charsetFromBom(body) ?? charsetFromContentType(contentType) ?? charsetFromMeta(body) ?? 'utf-8';
}
