// The non-ASCII characters of an href that linkbytes.ts percent-encodes itself, as the URL parser
// would after the tree decoded the value: a UTF-8 sequence of the page's bytes, or a named character
// reference ("&eacute;") that stands for non-ASCII characters. Anything else (an invalid sequence, a
// character String#trim removes, a reference to ASCII, a numeric one) is left to the slow path.
import { decodeHTMLAttribute } from 'entities';

/**
 * The length of the valid UTF-8 sequence at b[p] (2 to 4; b[p] >= 0x80), or 0: invalid, cut by
 * `to`, or a space character (U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F,
 * U+3000, U+FEFF) that the tree's trim() would remove at either end of the value.
 */
export function utf8Length(b: Buffer, p: number, to: number): number {
  const c = b[p]!;
  if (c >= 0xc2 && c <= 0xdf) {
    if (p + 1 >= to || !cont(b[p + 1]!)) return 0;
    return c === 0xc2 && b[p + 1] === 0xa0 ? 0 : 2;
  }
  if (c >= 0xe0 && c <= 0xef) {
    if (p + 2 >= to) return 0;
    const c1 = b[p + 1]!;
    if (c === 0xe0 ? c1 < 0xa0 || c1 > 0xbf : c === 0xed ? c1 < 0x80 || c1 > 0x9f : !cont(c1)) return 0;
    if (!cont(b[p + 2]!)) return 0;
    const c2 = b[p + 2]!;
    // U+1680; U+2000–U+203F (general punctuation's spaces and more, all left to the slow path); U+205F; U+3000; U+FEFF.
    if ((c === 0xe1 && c1 === 0x9a && c2 === 0x80) || (c === 0xe2 && (c1 === 0x80 || (c1 === 0x81 && c2 === 0x9f))) || (c === 0xe3 && c1 === 0x80 && c2 === 0x80) || (c === 0xef && c1 === 0xbb && c2 === 0xbf)) return 0;
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (p + 3 >= to) return 0;
    const c1 = b[p + 1]!;
    if (c === 0xf0 ? c1 < 0x90 || c1 > 0xbf : c === 0xf4 ? c1 < 0x80 || c1 > 0x8f : !cont(c1)) return 0;
    return cont(b[p + 2]!) && cont(b[p + 3]!) ? 4 : 0;
  }
  return 0;
}

function cont(c: number): boolean {
  return c >= 0x80 && c <= 0xbf;
}

/** A named reference's replacement: its UTF-8 bytes, and the reference's length in the value. */
export interface Reference {
  utf8: Uint8Array;
  length: number;
}

/** Names looked up so far (null: not one this module replaces); bounded, as pages may make up names. */
const known = new Map<string, Reference | null>();
const KNOWN_MAX = 1024;
const NAME_MAX = 32;
const TRIMMED = /^\s|\s$/;

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}

/**
 * The reference "&name;" at b[p] ("&"), when the tree's decoding replaces all of it with non-ASCII
 * characters none of which trim() removes; else undefined. Decoded on its own, it reads as in its
 * value: with ";" its name is matched whole or not at all, and nothing before it counts.
 */
export function namedReference(b: Buffer, p: number, to: number): Reference | undefined {
  let k = p + 1;
  if (k >= to || !isAlnum(b[k]!) || b[k]! <= 0x39) return undefined; // a name starts with a letter
  let name = '';
  for (; k < to && isAlnum(b[k]!); k++) {
    if (k - p > NAME_MAX) return undefined;
    name += String.fromCharCode(b[k]!);
  }
  if (k >= to || b[k] !== 0x3b) return undefined;
  let ref = known.get(name);
  if (ref === undefined) {
    const text = decodeHTMLAttribute(`&${name};`);
    ref = text !== '' && [...text].every((ch) => ch.codePointAt(0)! >= 0x80) && !text.includes('\ufffd') && !TRIMMED.test(text) ? { utf8: Buffer.from(text, 'utf8'), length: name.length + 2 } : null;
    if (known.size < KNOWN_MAX) known.set(name, ref);
  }
  return ref ?? undefined;
}
