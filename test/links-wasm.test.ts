// --links in WebAssembly (wasm/, via src/extract/links-wasm.ts) against the JS path it mirrors: the
// scan (src/extract/linkscan.ts) gives the same href spans and base span, byte for byte, and the
// whole (scan and resolution, src/extract/linkbytes.ts) the same links and JSON text, on generated
// pages, every prefix of a page (a body may end anywhere, and the SIMD search reads 16 bytes at a
// time), random soups, hand-written edge cases, other charsets, and pages with more links than the
// module's first room. test/linkscan.test.ts checks what --links runs against cheerio, and
// test/linkbytes.test.ts the resolution of every kind of href value against the URL parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decoderFor, type Decoder } from '../src/extract/decode.js';
import { scanLinks, type ScannedLinks } from '../src/extract/linkscan.js';
import { loadWasmLinks, type WasmLinks } from '../src/extract/links-wasm.js';
import { jsonTextOf } from '../src/extract/json-text.js';
import { resolveScanned } from '../src/extract/linkbytes.js';
import { linkPage } from '../fixtures/linkpage.js';
import { CASES, soups } from './helpers/markup.js';

const utf8 = decoderFor('utf-8')!;

/** What a scan found, as plain values (the wasm scan's views are overwritten by its next scan). */
function found(s: ScannedLinks): { values: string[]; base: string | null } {
  const values: string[] = [];
  for (let k = 0; k < s.count; k++) values.push(s.bytes.toString('latin1', s.spans[2 * k], s.spans[2 * k + 1]));
  return { values, base: s.baseFrom === -1 ? null : s.bytes.toString('latin1', s.baseFrom, s.baseTo) };
}

let wasm: WasmLinks;

async function scanner(): Promise<WasmLinks> {
  if (!wasm) {
    const loaded = await loadWasmLinks();
    assert.ok(loaded, 'the build ships dist/src/extract/links.wasm and this Node runs WebAssembly SIMD');
    wasm = loaded;
  }
  return wasm;
}

const PAGE_URLS = ['http://127.0.0.1:8080/dir/page.html?q=1', 'https://Docs.Example.org:8443/a/b/', 'http://u:p@h.test/x', 'file:///tmp/p.html'];

/** Both paths on one page: the same spans, then, against each page URL, the same links and JSON text. */
function same(w: WasmLinks, body: Buffer, what: string, decoder: Decoder = utf8, pageUrls: readonly string[] = PAGE_URLS.slice(0, 1)): ScannedLinks {
  const js = found(scanLinks(body, decoder));
  const s = w.scan(body, decoder);
  assert.deepEqual(found(s), js, what);
  for (const pageUrl of pageUrls) {
    const want = resolveScanned(scanLinks(body, decoder), pageUrl);
    const wantText = jsonTextOf(want);
    const got = w.links(body, decoder, pageUrl);
    assert.deepEqual(got, want, `${what}: links against ${pageUrl}`);
    assert.equal(jsonTextOf(got), wantText, `${what}: JSON text against ${pageUrl}`);
  }
  return w.scan(body, decoder);
}

test('wasm link scan: the module loads and scans in its own memory', async () => {
  const scan = await scanner();
  const s = same(scan, Buffer.from('<base href="/b/"><a href="/x">x</a><!-- <a href="/no"> --><area href=y>'), 'small page');
  assert.deepEqual(found(s), { values: ['/x', 'y'], base: '/b/' });
  assert.deepEqual(scan.links(Buffer.from('<base href="/b/"><a href="/x#f">x</a><area href=y><a href="y">'), utf8, PAGE_URLS[0]!), ['http://127.0.0.1:8080/x', 'http://127.0.0.1:8080/b/y']);
  // The page's copy and the spans are both views of the module's memory (the JS scan reads the body
  // itself and writes its own array).
  assert.equal(s.spans.buffer, s.bytes.buffer);
  const js = scanLinks(Buffer.from('<a href=z>'), utf8);
  assert.notEqual(js.spans.buffer, js.bytes.buffer);
});

test('wasm links equal the JS path\'s on 300 generated documentation pages, against four kinds of page URL', async () => {
  const scan = await scanner();
  for (let seed = 0; seed < 300; seed++) {
    const body = linkPage(2000 + seed, 2 + (seed % 120), 5 + ((seed * 13) % 400));
    const s = same(scan, body, `seed ${seed}`, utf8, PAGE_URLS);
    assert.ok(s.count > 0, `seed ${seed} has links`);
  }
});

test('wasm links equal the JS path\'s on every prefix of a page (a body cut off anywhere)', async () => {
  const scan = await scanner();
  const page = linkPage(5, 3, 40);
  for (let n = 0; n <= page.length; n++) same(scan, page.subarray(0, n), `first ${n} bytes`);
});

test('wasm links equal the JS path\'s on hand-written edge cases and 5,000 random soups', async () => {
  const scan = await scanner();
  for (const [name, html] of CASES) same(scan, Buffer.from(html, 'utf8'), name, utf8, PAGE_URLS);
  soups(777, 5000).forEach((s, i) => same(scan, Buffer.from(s, 'utf8'), `soup ${i}: ${JSON.stringify(s)}`));
});

test('wasm links equal the JS path\'s in other charsets, and on pages of 20,000 links (the module\'s room grows)', async () => {
  const scan = await scanner();
  const html = '<a href="/caf\u00e9">x</a><base href="/\u00fc/"><a href="\u65e5">y</a>';
  same(scan, Buffer.from(html.replace('\u65e5', 'q'), 'latin1'), 'windows-1252', decoderFor('windows-1252')!);
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(html, 'utf16le')]);
  same(scan, le, 'utf-16le', decoderFor('utf-16le')!);
  const many = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `<a href="/p/${i}">${i}</a>`).join(''), 'utf8');
  const s = same(scan, many, '20,000 links');
  assert.equal(s.count, 20_000);
  assert.equal(scan.links(many, utf8, PAGE_URLS[0]!).length, 20_000);
  // Long hrefs the URL parser resolves (a backslash sends them there), each longer than the page's
  // share of the first room: the output room grows.
  const long = Buffer.from(Array.from({ length: 50 }, (_, i) => `<a href="/x\\${'y'.repeat(2000)}/${i}">l</a>`).join(''), 'utf8');
  same(scan, long, 'long hrefs through the parser', utf8, PAGE_URLS);
  assert.equal(scan.links(long, utf8, 'http://h.test/' + 'p/'.repeat(3000)).length, 50);
  // After the room for spans grew, a small page again.
  same(scan, Buffer.from('<a href="/only">o</a>'), 'small page after a large one');
});
