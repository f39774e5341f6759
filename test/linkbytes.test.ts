// linkbytes.ts resolves most href values straight from the page's bytes, and hands the rest to
// links.ts: whatever the value, the links must be exactly what the URL parser gives for the value
// the tree holds (hrefText: decoded, character references replaced, trimmed), http(s) only,
// fragment dropped, first seen kept. Every printable and control ASCII byte in every position of
// typical hrefs, dot segments, hosts, ports, percent-encoding, entities, non-ASCII, over several bases.
// The JSON text it makes with a list (for the sink) must be exactly JSON.stringify of the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decoderFor, type Decoder } from '../src/extract/decode.js';
import { jsonTextOf } from '../src/extract/json-text.js';
import { resolveScanned } from '../src/extract/linkbytes.js';
import { resolveLinks } from '../src/extract/links.js';
import { hrefText, type ScannedLinks } from '../src/extract/linkscan.js';
import { loadWasmLinks } from '../src/extract/links-wasm.js';
import { referenceLinks } from './helpers/links-reference.js';
import { rng } from '../fixtures/rng.js';

const utf8 = decoderFor('utf-8')!;
/** The same resolution in WebAssembly (src/extract/links-wasm.ts): checked with the JS one everywhere. */
const loaded = await loadWasmLinks();
assert.ok(loaded, 'the build ships dist/src/extract/links.wasm and this Node runs WebAssembly SIMD');
const wasm = loaded;

const BASES = [
  'http://127.0.0.1:8080/dir/sub/page.html?q=1',
  'https://Example.COM/a/b/',
  'http://h.test/',
  'http://h.test/p?',
  'http://h.test/p#',
  'https://h.test:8443/.well/x?y#z',
  'http://h.test/a%2Fb/c%2e/',
  'https://[::1]:8443/p/q?x#f',
  'http://u:p@h.test/a/b',
  'file:///tmp/x/y',
];

/** The page "bytes" holding the values one after another, as the scan reports them. */
function scanned(values: readonly Buffer[], decoder: Decoder = utf8): ScannedLinks {
  const bytes = Buffer.concat(values);
  const spans = new Int32Array(2 * values.length);
  let at = 0;
  values.forEach((v, k) => {
    spans[2 * k] = at;
    at += v.length;
    spans[2 * k + 1] = at;
  });
  return { bytes, decoder, spans, count: values.length, baseFrom: -1, baseTo: -1 };
}

/** The reference: every value as the tree holds it, through `new URL`. */
function reference(s: ScannedLinks, base: string): string[] {
  const texts: string[] = [];
  for (let k = 0; k < s.count; k++) texts.push(hrefText(s.bytes, s.spans[2 * k]!, s.spans[2 * k + 1]!, s.decoder));
  return referenceLinks(texts, base);
}

/** Lists that came with their JSON text, and those that did not (a backslash, say). */
const texts = { known: 0, unknown: 0 };

/** When resolveScanned gives a list's JSON text (the sink copies it), it is exactly JSON.stringify's. */
function jsonText(links: string[], what: string): void {
  const text = jsonTextOf(links);
  if (links.length === 0) return;
  if (text === undefined) texts.unknown++;
  else {
    texts.known++;
    if (text !== JSON.stringify(links)) assert.equal(text, JSON.stringify(links), `JSON text, ${what}`);
  }
}

function equal(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Both resolvers against the reference, one value at a time (so a failure names it), then all at once. */
function check(values: readonly (string | Buffer)[], what: string, bases: readonly string[] = BASES, decoder: Decoder = utf8): void {
  const bufs = values.map((v) => (typeof v === 'string' ? Buffer.from(v, 'latin1') : v));
  for (const base of bases) {
    const url = new URL(base);
    for (const v of bufs) {
      const one = scanned([v], decoder);
      const want = reference(one, base);
      const got = resolveScanned(one, base);
      // deepEqual only on a difference: it is slow, and this runs ~400,000 times.
      if (!equal(got, want)) assert.deepEqual(got, want, `${what}: ${JSON.stringify(v.toString('latin1'))} against ${base}`);
      jsonText(got, `${what}: ${JSON.stringify(v.toString('latin1'))} against ${base}`);
      const inWasm = wasm.resolve(one, base);
      if (!equal(inWasm, want)) assert.deepEqual(inWasm, want, `${what} (wasm): ${JSON.stringify(v.toString('latin1'))} against ${base}`);
      if (jsonTextOf(inWasm) !== jsonTextOf(got)) assert.equal(jsonTextOf(inWasm), jsonTextOf(got), `${what} (wasm JSON text): ${JSON.stringify(v.toString('latin1'))} against ${base}`);
      const text = hrefText(v, 0, v.length, decoder);
      const strings = resolveLinks([text], url);
      if (!equal(strings, want)) assert.deepEqual(strings, want, `${what} (strings): ${JSON.stringify(text)} against ${base}`);
    }
    const all = scanned(bufs, decoder);
    const links = resolveScanned(all, base);
    assert.deepEqual(links, reference(all, base), `${what}: all against ${base}`);
    jsonText(links, `${what}: all against ${base}`);
    const inWasm = wasm.resolve(all, base);
    assert.deepEqual(inWasm, links, `${what} (wasm): all against ${base}`);
    assert.equal(jsonTextOf(inWasm), jsonTextOf(links), `${what} (wasm JSON text): all against ${base}`);
  }
}

const TEMPLATES = ['/a/b.html?c=d', 'a/b.html', '../x/y', './p?q', '//h.test/p?q', 'http://H.test:8080/p', 'HTTPS://h.test', '?q=1', '', 'p#f', 'mailto:x@h.test'];

test('linkbytes: every ASCII byte, inserted at or replacing every position of typical hrefs, resolves as the URL parser does', () => {
  const values: string[] = [];
  for (const t of TEMPLATES) {
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      for (let i = 0; i <= t.length; i++) {
        values.push(t.slice(0, i) + ch + t.slice(i));
        if (i < t.length) values.push(t.slice(0, i) + ch + t.slice(i + 1));
      }
    }
  }
  assert.ok(values.length > 20_000, `values: ${values.length}`);
  // One check() per template keeps failure messages short; the "all at once" pass dedupes across them.
  const per = Math.ceil(values.length / 8);
  // Bases of each kind: a directory and query, an upper-case host with a trailing "/", IPv6, credentials (all slow).
  for (let k = 0; k < values.length; k += per) check(values.slice(k, k + per), 'ascii byte', [BASES[0]!, BASES[1]!, BASES[7]!, BASES[8]!]);
});

test('linkbytes: dot segments, hosts, ports, percent-encoding, entities, whitespace and non-ASCII', () => {
  const dots = ['.', '..', './', '../', '/.', '/..', '/./', '/../', 'a/./b', 'a/../b', '../../../../x', '/a/b/../../..', '/a/..?x/../y', '.a/..b/...', '/a/.', '/a/..', 'x/%2e/y', 'x/%2E%2e/y', '%2e', '/%2e%2E', '/a/.%2e/b', '/q?a/../b', '/a/b/..#x/..'];
  const hosts = ['//h.test', '//H.TEST:80/', '//h.test:443/x', '//h.test:0080/x', '//h.test:/x', '//h.test:65535', '//h.test:65536', '//h.test:99999999999999', '//h.test:8a/', '//1.2.3.4/', '//h.0x1f/', '//h.1/', '//a1.b2/', '//h..test/', '//h.test./', '//.h.test/', '//-x-.test/', '//xn--bcher-kva.example/', '//XN--x.test/', '//[::1]/p', '//[::1]:81/p', '//u@h.test/', '//u:p@h.test/', '//h.test\\x', '//h_t.test/', '//h%41.test/', '//h.test?q', '//h.test#f', '//h.test:8080?q#f', '//', '///x', 'http://h.test', 'http:/h.test/x', 'http:h.test', 'https:x', 'HtTp://Ab.Cd/E?F', 'http+x://h.test/', 'h.t-p://x', 'ftp://h.test/', 'javascript:alert(1)', 'data:text/html,x', 'a:b', '1a:b', '-a:b', 'x_y:z'];
  const pct = ['%', '%4', '%41', '%zz', '/%', '/a%20b', '/a%2fb', '?%', '?%2e', '/a?b=%2e%2E'];
  const ents = ['&amp;', '/a?b=1&amp;c=2', '/a?b=1&c=2', '&amp', '/x&amp', '&lt;x', '&#46;&#46;/x', '/&#x2e;/x', '&eacute;', '/caf&eacute;', '&AMP;', '&amp;amp;', '?&amp;#x', '#&amp;', '/a&#35;b', '&#32;/x', '/x&#32;'];
  const spaces = [' /x ', '\t/x\n', '\f\r /x', '/a b', '/a\tb', '/a\nb', '/a\rb', '\u000b/x\u000b', '/a\u000bb', '  ', ' # ', '/a "b" <c> `d` {e} ^f |g \'h\'', '/a?"b" <c> \'d\''];
  const values: (string | Buffer)[] = [...dots, ...hosts, ...pct, ...ents, ...spaces];
  for (const s of ['/café', 'café', '/a?é', '//bücher.example/', '/日本/x', 'é/..', '#é', '\u00a0/x', '/x\u00a0', '/\u2028', '\ufeff/x']) values.push(Buffer.from(s, 'utf8'));
  values.push(Buffer.from([0x2f, 0xff, 0xfe]), Buffer.from([0x2f, 0x61, 0xc3]), Buffer.from([0x23, 0xff]), Buffer.from([0x2f, 0x1b, 0x24, 0x42]));
  check(values, 'edge');
});

test('linkbytes: 12,000 random concatenations of href pieces resolve as the URL parser does', () => {
  const PIECES = ['/', '//', '.', '..', '/./', '/../', '%2e', '%2E', '%', '%41', '?', '#', '&', '&amp;', '&lt;', '&#46;', '=', "'", '"', ' ', '\t', '\n', '\\', '@', ':', ';', '~', '!', '$', '(', ')', '*', '+', ',', '[', ']', '{', '}', '|', '^', '`', '<', '>', '\x7f', '\x00', 'a', 'Z', '0', '-', '_', 'page', 'x.html', 'HTTP:', 'https:', 'http://', '//h.test', 'H.Test', ':8080', ':80', ':443', 'xn--', '1.2', 'mailto:x', 'javascript:'];
  const next = rng(7);
  const values: string[] = [];
  for (let i = 0; i < 12_000; i++) {
    let s = next() < 0.4 ? '/' : '';
    const n = 1 + Math.floor(next() * 7);
    for (let j = 0; j < n; j++) s += PIECES[Math.floor(next() * PIECES.length)];
    values.push(s);
  }
  for (let k = 0; k < values.length; k += 4000) check(values.slice(k, k + 4000), 'random');
});

test('linkbytes: a page whose links pass the output buffer (64 KB) keeps every link, in order, once', () => {
  const values: string[] = [];
  for (let i = 0; i < 5000; i++) values.push(i % 3 === 0 ? `/dir-${i % 50}/a-rather-long-page-name.html` : `section/page-${i}.html?x=${'y'.repeat(i % 40)}`);
  const s = scanned(values.map((v) => Buffer.from(v, 'latin1')));
  const links = resolveScanned(s, BASES[0]!);
  assert.deepEqual(links, reference(s, BASES[0]!));
  assert.equal(links.length, 50 + 3333, 'links: 50 distinct root-relative, 3,333 distinct relative');
});

test('linkbytes: UTF-8 sequences (valid, invalid, cut, spaces trim() removes) and named references, in paths, queries and hosts', () => {
  const seqs: Buffer[] = [];
  for (let a = 0x80; a <= 0xff; a++) {
    seqs.push(Buffer.from([a]));
    for (let b = 0x00; b <= 0xff; b += a === 0xc2 || a === 0xc3 || a === 0xdf ? 1 : 15) seqs.push(Buffer.from([a, b]));
  }
  for (const a of [0xe0, 0xe1, 0xe2, 0xe3, 0xec, 0xed, 0xee, 0xef]) {
    for (let b = 0x7f; b <= 0xc0; b += 3) for (const c of [0x7f, 0x80, 0x9a, 0x9f, 0xa0, 0xa8, 0xaf, 0xbb, 0xbf, 0xc0]) seqs.push(Buffer.from([a, b, c]));
  }
  for (const b of [0x80, 0x81, 0x9a, 0xbb]) for (const c of [0x80, 0x8a, 0x8b, 0x9f, 0xa8, 0xa9, 0xaf, 0xbf]) seqs.push(Buffer.from([0xe2, b, c]), Buffer.from([0xe1, b, c]), Buffer.from([0xe3, b, c]), Buffer.from([0xef, b, c]));
  for (const a of [0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf8]) for (const b of [0x7f, 0x80, 0x8f, 0x90, 0xbf, 0xc0]) seqs.push(Buffer.from([a, b, 0x80, 0x80]), Buffer.from([a, b, 0x80]), Buffer.from([a, b, 0xbf, 0xc0]));
  for (const ch of ['é', '日', '😀', '\u00a0', '\u1680', '\u2003', '\u2028', '\u202f', '\u205f', '\u3000', '\ufeff', '\u0085', '\u180e', '\ufffd', '\uffff']) seqs.push(Buffer.from(ch, 'utf8'));
  const refs = ['&eacute;', '&Eacute;', '&mdash;', '&rsquo;', '&nbsp;', '&ensp;', '&ThickSpace;', '&MediumSpace;', '&NewLine;', '&Tab;', '&lt;', '&quot;', '&sol;', '&num;', '&period;', '&percnt;', '&colon;', '&amp;', '&AMP;', '&nGt;', '&Afr;', '&fjlig;', '&notin;', '&notit;', '&not;', '&eacutex;', '&eacute', '&eacute=', '&Eacute ;', '&1x;', '&x1;', '&;', '&#233;', '&#xe9;', '&#160;', '&zzzz;', `&${'a'.repeat(40)};`, '&b;'];
  const values: Buffer[] = [];
  const wrap = (pre: string, mid: Buffer, post: string): Buffer => Buffer.concat([Buffer.from(pre, 'latin1'), mid, Buffer.from(post, 'latin1')]);
  for (const q of seqs) for (const [pre, post] of [['/a/', '/b'], ['', ''], ['x', '?q'], ['/p?x=', '&y'], ['//h', '.test/'], ['/', '#f']] as const) values.push(wrap(pre, q, post));
  for (const r of refs) for (const [pre, post] of [['/a/', 'b'], ['', ''], [' ', ' '], ['/p?x=', ''], ['//h', '.test/'], ['http://h.test/', '/..'], ['caf', ':x']] as const) values.push(Buffer.from(pre + r + post, 'latin1'));
  check(values, 'non-ASCII', [BASES[0]!, BASES[7]!]);
  // A windows-1252 page: its bytes are not UTF-8, so every non-ASCII value goes the slow way.
  const sample = [...seqs.filter((_, i) => i % 7 === 0), ...seqs.slice(-15)];
  check(sample.map((q) => wrap('/a/', q, '')), 'windows-1252', [BASES[0]!], decoderFor('windows-1252')!);
});

test('linkbytes: the lists above came with their JSON text, but for the few whose links hold a backslash', () => {
  // Runs after the tests above (node:test runs a file's tests in order).
  assert.ok(texts.known > 50_000, `with JSON text: ${texts.known}`);
  assert.ok(texts.unknown > 0 && texts.unknown < texts.known / 20, `without: ${texts.unknown}`);
});
