// Text decoders by WHATWG encoding label. Node's TextDecoder knows the labels, but (Node 20) decodes
// windows-1252 as ISO-8859-1 (0x80–0x9F become C1 controls, not “ ” € …) and has no x-user-defined,
// so those two are done here, as the Encoding Standard specifies them.
import { TextDecoder } from 'node:util';

export interface Decoder {
  /** The WHATWG encoding name, e.g. "utf-8", "windows-1252", "utf-16le". */
  readonly encoding: string;
  decode(bytes: Uint8Array): string;
}

/** windows-1252 0x80–0x9F; the five bytes it leaves undefined map to the C1 control of the same value. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
].map((cp) => String.fromCharCode(cp));
const C1 = /[\x80-\x9f]/g;
const HIGH = /[\x80-\xff]/g;

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const windows1252: Decoder = {
  encoding: 'windows-1252',
  decode(bytes) {
    const s = toBuffer(bytes).toString('latin1');
    return C1.test(s) ? s.replace(C1, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c) : s;
  },
};

/** x-user-defined: ASCII as is, byte 0x80 + n as U+F780 + n. */
const xUserDefined: Decoder = {
  encoding: 'x-user-defined',
  decode(bytes) {
    return toBuffer(bytes).toString('latin1').replace(HIGH, (c) => String.fromCharCode(0xf700 + c.charCodeAt(0)));
  },
};

const cache = new Map<string, Decoder | null>();

/** The decoder for `label`, or undefined when no encoding has that label. */
export function decoderFor(label: string): Decoder | undefined {
  const key = label.trim().toLowerCase();
  let d = cache.get(key);
  if (d === undefined) {
    d = lookup(key);
    if (cache.size < 256) cache.set(key, d);
  }
  return d ?? undefined;
}

function lookup(key: string): Decoder | null {
  if (key === 'x-user-defined') return xUserDefined;
  let td: TextDecoder;
  try {
    td = new TextDecoder(key);
  } catch {
    return null;
  }
  if (td.encoding === 'windows-1252') return windows1252;
  return td;
}

export const WINDOWS_1252: Decoder = windows1252;
