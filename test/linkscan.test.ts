// The --links byte scan must give exactly cheerio's link list (the tree extractor of
// src/extract/dom.ts), both what --links alone runs (WebAssembly: src/extract/links-wasm.ts) and the
// JS path it falls back to (src/extract/linkscan.ts, linkbytes.ts): over every fixture page,
// hand-written edge cases, generated real-looking documentation pages, and random soups of markup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { detectDecoder } from '../src/extract/charset.js';
import { decoderFor, type Decoder } from '../src/extract/decode.js';
import { loadDomExtractor, loadTreeExtractor, type DomExtractor } from '../src/extract/dom.js';
import { resolveScanned } from '../src/extract/linkbytes.js';
import { scanLinks } from '../src/extract/linkscan.js';
import { demoUrls } from '../fixtures/lists.js';
import { linkPage } from '../fixtures/linkpage.js';
import { startSite } from '../fixtures/site.js';
import { CASES, soups } from './helpers/markup.js';

const PAGE = 'http://127.0.0.1:8080/dir/page.html?q=1';
const utf8 = decoderFor('utf-8')!;

let tree: DomExtractor;
let scan: DomExtractor;

async function extractors(): Promise<void> {
  tree ??= await loadTreeExtractor([], true);
  scan ??= await loadDomExtractor([], true);
}

/** What --links alone runs (WebAssembly here), and the JS path it falls back to, against the tree. */
function same(body: Buffer, decoder: Decoder, pageUrl: string, what: string): void {
  const want = tree(body, decoder, pageUrl).links;
  assert.deepEqual(scan(body, decoder, pageUrl).links, want, what);
  assert.deepEqual(resolveScanned(scanLinks(body, decoder), pageUrl), want, `${what} (JS path)`);
}

function fetchRaw(url: string): Promise<{ body: Buffer; type: string | null }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ body: Buffer.concat(chunks), type: res.headers['content-type'] ?? null }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

test('link scan: the scan is what loadDomExtractor gives for --links alone, the tree for --select', async () => {
  await extractors();
  assert.notEqual(scan, tree);
  const withSelect = await loadDomExtractor([{ name: 'h', css: 'h1' }], true);
  assert.ok(withSelect(Buffer.from('<h1>x</h1>'), utf8, PAGE).fields, '--select still uses the tree');
});

test('link scan equals cheerio\'s links on every fixture page', async (t) => {
  await extractors();
  const site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'], log: false });
  t.after(() => site.close());
  const paths = ['/title/entities', '/title/hidden', '/charset/meta-utf16', '/charset/x-user-defined', '/charset/unknown-1252', '/link-page/1?kb=100&links=300', '/link-page/2?kb=20&links=80', '/big-page/3?kb=50'];
  const urls = [...demoUrls(site), ...paths.map((p) => site.url('127.0.0.1', p))].filter((u) => !/redirect|status\/5|no-such/.test(u));
  let withLinks = 0;
  for (const url of urls) {
    const { body, type } = await fetchRaw(url);
    const decoder = detectDecoder(body, type);
    same(body, decoder, url, url);
    if ((tree(body, decoder, url).links ?? []).length > 0) withLinks++;
  }
  assert.ok(withLinks >= 10, `fixture pages with links: ${withLinks}`);
});


test('link scan equals cheerio\'s links on hand-written edge cases', async () => {
  await extractors();
  for (const [name, html] of CASES) same(Buffer.from(html, 'utf8'), utf8, PAGE, name);
  // A few where the expected list is written out, so the comparison cannot be vacuous.
  assert.deepEqual(scan(Buffer.from(CASES[8]![1], 'utf8'), utf8, PAGE).links, ['/ok1', '/ok2', '/ok3', '/ok4'].map((p) => `http://127.0.0.1:8080${p}`));
  assert.deepEqual(scan(Buffer.from(CASES[2]![1], 'utf8'), utf8, PAGE).links, ['http://127.0.0.1:8080/sub/dir/rel']);
});

test('link scan equals cheerio\'s links in other charsets (windows-1252, UTF-16 LE with BOM)', async () => {
  await extractors();
  const html = '<a href="/caf\u00e9?x=\u201cq\u201d">x</a><a href="/\u00fc">y</a>';
  const cp = Buffer.from(html.replace('\u201c', '\x93').replace('\u201d', '\x94'), 'latin1');
  const d1252 = detectDecoder(cp, 'text/html; charset=windows-1252');
  same(cp, d1252, PAGE, 'windows-1252');
  assert.deepEqual(scan(cp, d1252, PAGE).links, ['http://127.0.0.1:8080/caf%C3%A9?x=%E2%80%9Cq%E2%80%9D', 'http://127.0.0.1:8080/%C3%BC']);
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(html, 'utf16le')]);
  same(le, detectDecoder(le, 'text/html'), PAGE, 'utf-16le');
});

test('link scan equals cheerio\'s links on 200 generated documentation pages', async () => {
  await extractors();
  for (let seed = 0; seed < 200; seed++) {
    const body = linkPage(1000 + seed, 4 + (seed % 40), 10 + ((seed * 7) % 300));
    same(body, utf8, `http://docs.example.org/s${seed}/page.html`, `seed ${seed}`);
  }
  const big = linkPage(7, 100, 300);
  const n = (tree(big, utf8, PAGE).links ?? []).length;
  assert.ok(n > 150, `a 100 KB page has many distinct links: ${n}`);
});

test('link scan equals cheerio\'s links when the plain hrefs of one page pass 16 KB (the scan\'s buffer grows mid-page), mixed with decoded ones and bases', async () => {
  await extractors();
  const parts: string[] = ['<base href="  /first/base/  "><base href="/second/">'];
  for (let i = 0; i < 3000; i++) {
    if (i % 7 === 0) parts.push(`<a href="/caf&eacute;/${i}?a=1&amp;b=${i}">d</a>`); // decoded at once
    else if (i % 11 === 0) parts.push(`<a href="  \t">blank</a><a href="/日本/${i}">u</a>`);
    else parts.push(`<a class="x" href="  section-${i % 13}/a-rather-long-page-name-${i}.html#part-${i % 5}  ">p</a>`);
  }
  const body = Buffer.from(parts.join('\n'), 'utf8');
  same(body, utf8, PAGE, 'many plain hrefs');
  const links = scan(body, utf8, PAGE).links ?? [];
  assert.ok(links.length > 2500, `links: ${links.length}`);
  assert.equal(links[0], 'http://127.0.0.1:8080/caf%C3%A9/0?a=1&b=0');
  assert.equal(links[1], 'http://127.0.0.1:8080/first/base/section-1/a-rather-long-page-name-1.html');
  assert.equal(links.at(-1), 'http://127.0.0.1:8080/first/base/section-9/a-rather-long-page-name-2999.html');
  // The same scan again: nothing of the first page is left in the scan's buffer.
  assert.deepEqual(scan(Buffer.from('<a href="/only">o</a>'), utf8, PAGE).links, ['http://127.0.0.1:8080/only']);
});


test('link scan equals cheerio\'s links on 3,000 random soups of markup pieces', async () => {
  await extractors();
  soups(12345, 3000).forEach((s, i) => same(Buffer.from(s, 'utf8'), utf8, PAGE, `soup ${i}: ${JSON.stringify(s)}`));
});
