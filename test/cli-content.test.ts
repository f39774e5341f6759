// What the record says about a response body: titles in every charset the fixture serves, decompressed
// gzip/deflate/br (bytes = decoded size), non-HTML types, a bad charset; --select and --links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { GBK_TITLE_TEXT, SJIS_TITLE_TEXT, TINY_PNG } from '../fixtures/bytes.js';
import { startSite } from '../fixtures/site.js';
import { runCli } from './helpers/cli.js';

type Rec = Record<string, unknown>;

/** The raw response body and its headers, read without the crawler. */
function fetchRaw(url: string): Promise<{ body: Buffer; encoding: string | undefined }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ body: Buffer.concat(chunks), encoding: res.headers['content-encoding'] }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

function byPath(records: Rec[], path: string): Rec {
  const r = records.find((rec) => { const u = new URL(String(rec.url)); return u.pathname + u.search === path; });
  assert.ok(r, `a record for ${path}`);
  return r;
}

test('titles: utf8, gbk (meta only), sjis (header only), BOM; gzip/deflate/br titles with decoded byte counts; JSON/PNG have no title; an unknown charset is windows-1252', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  t.after(() => site.close());
  const paths = ['/charset/utf8', '/charset/gbk', '/charset/sjis', '/charset/bom', '/gzip', '/deflate', '/br', '/data.json', '/image.png', '/charset/bad'];
  const r = await runCli(['-', '--progress', 'never'], { stdin: paths.map((p) => site.url('127.0.0.1', p)).join('\n') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, paths.length);

  assert.equal(byPath(r.records, '/charset/utf8').title, 'Café — naïve 日本');
  assert.equal(byPath(r.records, '/charset/gbk').title, GBK_TITLE_TEXT);
  assert.equal(byPath(r.records, '/charset/sjis').title, SJIS_TITLE_TEXT);
  assert.equal(byPath(r.records, '/charset/bom').title, 'BOM Page');

  const decoders = { gzip: gunzipSync, deflate: inflateSync, br: brotliDecompressSync };
  const titles = { gzip: 'Gzip Page', deflate: 'Deflate Page', br: 'Brotli Page' };
  for (const enc of ['gzip', 'deflate', 'br'] as const) {
    const rec = byPath(r.records, `/${enc}`);
    const raw = await fetchRaw(site.url('127.0.0.1', `/${enc}`));
    assert.equal(raw.encoding, enc, 'the fixture really compresses');
    const decoded = decoders[enc](raw.body);
    assert.notEqual(decoded.length, raw.body.length);
    assert.equal(rec.ok, true, enc);
    assert.equal(rec.title, titles[enc], enc);
    assert.equal(rec.bytes, decoded.length, `${enc}: bytes is the decoded size`);
  }

  const json = byPath(r.records, '/data.json');
  assert.equal(json.ok, true);
  assert.equal(json.title, null);
  assert.equal(json.contentType, 'application/json');
  assert.equal(json.bytes, JSON.stringify({ ok: true }).length);
  const png = byPath(r.records, '/image.png');
  assert.equal(png.ok, true);
  assert.equal(png.title, null);
  assert.equal(png.contentType, 'image/png');
  assert.equal(png.bytes, TINY_PNG.length);

  // An unknown charset label falls back to windows-1252, as the HTML spec says (issue 13, row 10).
  const bad = byPath(r.records, '/charset/bad');
  assert.equal(bad.ok, true);
  assert.equal(bad.status, 200);
  assert.equal(bad.title, 'Bad Charset');
});

test('--select and --links: named fields from text and attributes; absolute, deduplicated http(s) links without mailto: or fragments', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  t.after(() => site.close());
  const u = (p: string): string => site.url('127.0.0.1', p);
  const r = await runCli(['-', '--select', 'h=h1', '--select', 'd=meta[name=description]@content', '--select', 'none=table', '--links', '--progress', 'never'], {
    stdin: [u('/page/3'), u('/'), u('/data.json')].join('\n'),
  });
  assert.equal(r.code, 0, r.stderr);
  const page = byPath(r.records, '/page/3');
  assert.deepEqual(page.fields, { h: 'Heading 3', d: 'Description 3', none: null });
  assert.deepEqual(page.links, [u('/page/4'), u('/')]);

  const index = byPath(r.records, '/');
  assert.deepEqual(index.fields, { h: 'Fixture Site', d: 'Fixture site index', none: null });
  // Relative, dot-relative and absolute hrefs resolved; /page/1 twice kept once; mailto: dropped;
  // "#links" is the page itself once its fragment is gone.
  assert.deepEqual(index.links, [u('/page/1'), u('/page/2'), u('/page/3'), u('/page/4'), u('/page/5'), u('/about'), u('/')]);
  const links = index.links as string[];
  assert.ok(links.every((l) => /^https?:\/\//.test(l) && !l.includes('#')));

  const json = byPath(r.records, '/data.json');
  assert.deepEqual(json.fields, { h: null, d: null, none: null }, 'non-HTML pages carry the same keys');
  assert.deepEqual(json.links, []);
});
