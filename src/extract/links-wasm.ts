// --links in WebAssembly: wasm/linkscan.ts (the byte scan of linkscan.ts) and wasm/linkbytes.ts (the
// resolution of linkbytes.ts), built by `npm run build` into dist/src/extract/links.wasm. The same
// links as resolveScanned(scanLinks(…)), about three times faster: finding the next "<", quote or
// ">" is a 16-byte SIMD compare instead of a call into Buffer#indexOf, and resolving, hashing and
// writing a link is a loop over bytes with no bounds checks and no calls. The page is copied into the
// module's memory (a memcpy, ~2 µs for 100 KB); what needs JS (the named-reference table, the URL
// parser for odd hrefs, a base the bytes path does not take) is called from there or done here.
// Where WebAssembly SIMD is missing, or the module is (a tree built without asc), loadWasmLinks()
// answers undefined and the JS path runs.
import { readFile } from 'node:fs/promises';
import type { Decoder } from './decode.js';
import { namedReference } from './hrefchars.js';
import { withJsonText } from './json-text.js';
import { bytesResolve, jsonPlain, resolveScanned } from './linkbytes.js';
import { linkBase, Resolver } from './links.js';
import { compileOptimized } from '../v8/wasm-tier.js';
import { hrefText, scannable, type ScannedLinks } from './linkscan.js';

interface Exports {
  memory: WebAssembly.Memory;
  scan(body: number, len: number, spans: number, cap: number): number;
  scannedBaseFrom(): number;
  scannedBaseTo(): number;
  heapBase(): number;
  setSeed(seed: number): void;
  setBase(self: number, origin: number, dir: number, path: number, len: number, https: number, utf8: number): void;
  resolveLinks(body: number, spans: number, count: number, out: number, room: number, keptAt: number, table: number, slots: number, hashes: number): number;
  keptCount(): number;
}

const FUNCTIONS = ['scan', 'scannedBaseFrom', 'scannedBaseTo', 'heapBase', 'setSeed', 'setBase', 'resolveLinks', 'keptCount'] as const;

export interface WasmLinks {
  /** scanLinks(), in the module: the returned bytes and spans are views of its memory, valid until the next call. */
  scan(body: Buffer, decoder: Decoder): ScannedLinks;
  /** resolveScanned(s, pageUrl), in the module; `s` from scan(), or any other (then it is copied in). */
  resolve(s: ScannedLinks, pageUrl: string): string[];
  /** resolveScanned(scanLinks(body, decoder), pageUrl), in the module. */
  links(body: Buffer, decoder: Decoder, pageUrl: string): string[];
}

const PAGE = 64 * 1024;
const MODULE = new URL('./links.wasm', import.meta.url);
/** resolveLinks()' answer when a link the parser resolved did not fit. */
const NO_ROOM = -3;

function align16(n: number): number {
  return (n + 15) & ~15;
}

function isExports(e: WebAssembly.Exports): e is WebAssembly.Exports & Exports {
  return e.memory instanceof WebAssembly.Memory && FUNCTIONS.every((name) => typeof e[name] === 'function');
}

/** The page being resolved, for the module's calls into JS. */
interface Current {
  page: Buffer;
  spans: Int32Array;
  decoder: Decoder;
  base: URL;
  /** The module's memory, to write answers into. */
  memory: Buffer;
  slow: Resolver | undefined;
  /** Does every asked link read the same inside JSON quotes? */
  jsonSafe: boolean;
}

/** The WebAssembly links path, or undefined where it cannot run (then linkscan.ts and linkbytes.ts are). */
export async function loadWasmLinks(): Promise<WasmLinks | undefined> {
  let code: Buffer;
  try {
    code = await readFile(MODULE);
  } catch {
    return undefined;
  }
  if (!WebAssembly.validate(code)) return undefined; // an engine without SIMD
  let current: Current | undefined;
  const env = {
    ask(k: number, dst: number, room: number): number {
      const c = current!;
      c.slow ??= new Resolver(c.base);
      const href = c.slow.resolve(hrefText(c.page, c.spans[2 * k]!, c.spans[2 * k + 1]!, c.decoder));
      if (href === undefined) return -1;
      if (href.length > room) return NO_ROOM;
      if (!jsonPlain(href)) c.jsonSafe = false;
      return c.memory.write(href, dst, 'latin1'); // a URL the parser serialized: ASCII
    },
    reference(p: number, to: number, dst: number): number {
      const c = current!;
      const ref = namedReference(c.page, p, to);
      if (ref === undefined) return 0;
      c.memory.set(ref.utf8, dst);
      return (ref.length << 8) | ref.utf8.length;
    },
  };
  // Compiled with TurboFan at once, even where crawl keeps WebAssembly on Liftoff (src/v8/wasm-tier.ts).
  const { exports } = await WebAssembly.instantiate(compileOptimized(code), { env });
  if (!isExports(exports)) return undefined;
  const wasm = exports;
  // The hash that de-duplicates starts at random, as linkbytes.ts's (a page cannot be made of links
  // that all share one slot).
  wasm.setSeed(Math.floor(Math.random() * 0x40000000));
  const heap = align16(wasm.heapBase());
  /** Room for this many spans (two i32 each); doubled when a page has more. */
  let cap = 4096;

  /** Makes the memory hold `bytes` from `heap`; returns its buffer (a new one after growing). */
  const reserve = (bytes: number): ArrayBuffer => {
    const have = wasm.memory.buffer.byteLength;
    if (heap + bytes > have) wasm.memory.grow(Math.ceil((heap + bytes - have) / PAGE));
    return wasm.memory.buffer;
  };

  const scan = (body: Buffer, decoder: Decoder): ScannedLinks => {
    const { bytes: page, decoder: dec } = scannable(body, decoder);
    const len = page.length;
    const spansAt = heap + align16(len);
    for (;;) {
      const memory = reserve(align16(len) + 8 * cap);
      new Uint8Array(memory, heap, len).set(page);
      const count = wasm.scan(heap, len, spansAt, cap);
      if (count === -1) {
        cap *= 2;
        continue;
      }
      return {
        bytes: Buffer.from(memory, heap, len),
        decoder: dec,
        spans: new Int32Array(memory, spansAt, 2 * count),
        count,
        baseFrom: wasm.scannedBaseFrom(),
        baseTo: wasm.scannedBaseTo(),
      };
    }
  };

  /** Puts a page and its spans where scan() leaves them, unless they are there. */
  const place = (s: ScannedLinks): void => {
    if (s.bytes.buffer === wasm.memory.buffer && s.bytes.byteOffset === heap && s.spans.byteOffset === heap + align16(s.bytes.length)) return;
    const len = s.bytes.length;
    const memory = reserve(align16(len) + 8 * s.count);
    new Uint8Array(memory, heap, len).set(s.bytes);
    new Int32Array(memory, heap + align16(len), 2 * s.count).set(s.spans.subarray(0, 2 * s.count));
  };

  const resolve = (s: ScannedLinks, pageUrl: string): string[] => {
    const base = linkBase(pageUrl, s.baseFrom === -1 ? undefined : hrefText(s.bytes, s.baseFrom, s.baseTo, s.decoder));
    if (!base) return [];
    if (!bytesResolve(base) || s.count === 0) return resolveScanned(s, pageUrl);
    // After the page and its spans: the base's bytes, the output, the kept links, the table, the hashes.
    place(s);
    const { count } = s;
    const len = s.bytes.length;
    const origin = base.origin;
    const path = base.pathname;
    const self = origin + path + base.search;
    const selfAt = heap + align16(len) + align16(8 * count);
    let slots = 16;
    while (slots < 2 * count) slots *= 2;
    let room = 1 + count * (self.length + 16) + 4 * len;
    for (;;) {
      const outAt = selfAt + align16(self.length);
      const keptAt = outAt + align16(room);
      const tableAt = keptAt + 8 * count;
      const hashesAt = tableAt + 4 * slots;
      const memory = reserve(hashesAt + 4 * count - heap);
      const mem = Buffer.from(memory);
      mem.write(self, selfAt, 'latin1');
      wasm.setBase(selfAt, origin.length, origin.length + path.lastIndexOf('/') + 1, origin.length + path.length, self.length, base.protocol === 'https:' ? 1 : 0, s.decoder.encoding === 'utf-8' ? 1 : 0);
      const c: Current = {
        page: Buffer.from(memory, heap, len),
        spans: new Int32Array(memory, heap + align16(len), 2 * count),
        decoder: s.decoder,
        base,
        memory: mem,
        slow: undefined,
        jsonSafe: true,
      };
      current = c;
      const end = wasm.resolveLinks(heap, heap + align16(len), count, outAt, room, keptAt, tableAt, slots, hashesAt);
      if (end === NO_ROOM) {
        room *= 2;
        continue;
      }
      const n = wasm.keptCount();
      if (n === 0) return [];
      const all = mem.toString('latin1', outAt, outAt + end);
      const kept = new Int32Array(memory, keptAt, 2 * n);
      const list = new Array<string>(n);
      for (let i = 0; i < n; i++) list[i] = all.slice(kept[2 * i], kept[2 * i + 1]);
      return c.jsonSafe ? withJsonText(list, all) : list;
    }
  };

  return { scan, resolve, links: (body, decoder, pageUrl) => resolve(scan(body, decoder), pageUrl) };
}
