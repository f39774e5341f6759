// The NDJSON sink encodes records straight into Buffers: the bytes out must be exactly the UTF-8 of
// JSON.stringify(record) + "\n" per record, in order, whatever their size, and a batch handed to
// the stream must never change afterwards (a slow stream may still hold it). A --links list comes
// with its JSON text already made (linkbytes.ts), which the sink copies: the line must not change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { decoderFor } from '../src/extract/decode.js';
import { loadDomExtractor } from '../src/extract/dom.js';
import { jsonTextOf } from '../src/extract/json-text.js';
import { NdjsonSink } from '../src/output/ndjson.js';
import { linkPage } from '../fixtures/linkpage.js';
import type { CrawlRecord } from '../src/record.js';

const utf8 = decoderFor('utf-8')!;

/** A stream that takes each chunk late (back-pressure) and keeps it, with a copy made when it arrived. */
class SlowStream extends Writable {
  readonly held: { chunk: Buffer; copy: Buffer }[] = [];

  constructor() {
    super({ highWaterMark: 16 * 1024 });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.held.push({ chunk, copy: Buffer.from(chunk) });
    setTimeout(() => done(), 1);
  }
}

function record(i: number, links: number, title: string): CrawlRecord {
  return {
    url: `http://127.0.0.1:8080/p/${i}`,
    ok: true,
    status: 200,
    finalUrl: `http://127.0.0.1:8080/p/${i}`,
    redirects: 0,
    contentType: 'text/html',
    bytes: 1000 + i,
    title,
    links: Array.from({ length: links }, (_, k) => `http://127.0.0.1:8080/docs/${i}/page-${k}.html?q=${k}&x="${k}"`),
    attempts: 1,
    ms: i,
  } as unknown as CrawlRecord;
}

test('NdjsonSink: bytes are the UTF-8 of each JSON line, through small, large and over-arena records and back-pressure', async () => {
  const titles = ['plain', 'Docs — crawl', 'café 日本', 'emoji 😀 pair', 'lone \ud800 surrogate', 'ctl \u0001 "q" \\'];
  const records: CrawlRecord[] = [];
  for (let i = 0; i < 400; i++) {
    // Mostly ~12 KB records; every 50th far larger than the 256 KB arena; some tiny ones.
    const links = i % 50 === 7 ? 6_000 : i % 3 === 0 ? 0 : 150;
    records.push(record(i, links, titles[i % titles.length]!));
  }
  const stream = new SlowStream();
  const errors: Error[] = [];
  const sink = new NdjsonSink(stream, false, (err) => errors.push(err));
  let waited = 0;
  for (const r of records) {
    const p = sink.write(r);
    if (p) {
      waited++;
      await p;
    }
  }
  await sink.close();
  await new Promise<void>((resolve) => stream.end(resolve));
  assert.deepEqual(errors, []);
  assert.ok(waited > 0, 'the slow stream pushed back at least once');
  assert.equal(sink.written, records.length);
  for (const [n, h] of stream.held.entries()) assert.ok(h.chunk.equals(h.copy), `batch ${n} changed after it was handed to the stream`);
  const out = Buffer.concat(stream.held.map((h) => h.chunk));
  const want = Buffer.from(records.map((r) => JSON.stringify(r) + '\n').join(''), 'utf8');
  assert.equal(out.length, want.length);
  assert.ok(out.equals(want), 'output bytes differ from JSON.stringify lines');
  assert.ok(!out.toString('utf8').includes('\ufffd'), 'a lone surrogate is escaped by JSON.stringify, never replaced');
});

test('NdjsonSink: a link list with its JSON text known (--links) is put in as that text, the line still exactly JSON.stringify', async () => {
  const scan = await loadDomExtractor([], true);
  const page = (i: number): Buffer => linkPage(i, 20, 120);
  const records: CrawlRecord[] = [];
  for (let i = 0; i < 60; i++) {
    const url = `http://127.0.0.1:8080/d/${i}?q=${i}`;
    const links = scan(page(i), utf8, url).links!;
    // In the record's own order, with keys around the list that could be mistaken for it: a
    // --select field named "links" before it, TLS and an error after it.
    const r: Record<string, unknown> = { url, ok: true, status: 200, finalUrl: url, redirects: 0, contentType: 'text/html', bytes: 20_000, title: i % 2 === 0 ? `Docs ${i} — crawl` : `plain "${i}" \\` };
    if (i % 3 === 0) r.fields = { links: i % 2 === 0 ? null : '"links":0', h: 'x' };
    r.links = links;
    if (i % 4 === 0) r.tls = { protocol: 'TLSv1.3', links: 'not the list' };
    r.attempts = 1;
    r.ms = i;
    if (i % 5 === 0) r.error = { code: 'EHTTP', message: '"links":0' };
    records.push(r as unknown as CrawlRecord);
  }
  const known = records.filter((r) => jsonTextOf(r.links!) !== undefined).length;
  assert.ok(known >= 55, `lists with their JSON text: ${known} of 60`);
  // A list the parser's serialization puts a backslash in has no JSON text: JSON.stringify escapes it.
  const backslash = scan(Buffer.from('<a href="/q?a\\b">x</a>'), utf8, 'http://127.0.0.1:8080/').links!;
  assert.deepEqual(backslash, ['http://127.0.0.1:8080/q?a\\b']);
  assert.equal(jsonTextOf(backslash), undefined);
  records.push({ ...record(99, 0, 't'), links: backslash });
  const stream = new SlowStream();
  const sink = new NdjsonSink(stream, false, () => undefined);
  for (const r of records) await sink.write(r);
  await sink.close();
  await new Promise<void>((resolve) => stream.end(resolve));
  const out = Buffer.concat(stream.held.map((h) => h.chunk)).toString('utf8').split('\n');
  const want = records.map((r) => JSON.stringify(r));
  assert.equal(out.length, want.length + 1);
  for (const [i, line] of want.entries()) assert.equal(out[i], line, `record ${i}`);
});
