// Resilience, part 1: retries, Retry-After, broken connections and bodies, dead hosts and junk input.
// Every test runs the built CLI (bin/crawl.js) against the fault-injecting fixture site on 127.0.0.x.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { performance } from 'node:perf_hooks';
import { startSite, type FixtureSite } from '../fixtures/site.js';
import { runCli, tempDir } from './helpers/cli.js';
import { closedPort, errorCodeOf, recordFor, writeList } from './helpers/resilience.js';

let site: FixtureSite;
let dir: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'] });
  dir = await tempDir('crawl-resilience-retry-');
});

after(async () => {
  await site.close();
  await dir.cleanup();
});

/** Requests the site saw for exactly this path (with query), in arrival order. */
function seen(path: string, host = '127.0.0.1'): { at: number }[] {
  return site.stats.log.filter((e) => e.path === path && e.host === host);
}

const QUIET = ['--progress', 'never'];

test('a route failing twice with 503 is ok on the 3rd attempt with --retries 2', async () => {
  const path = '/flaky/twice-ok?fail=2';
  const url = site.url('127.0.0.1', path);
  const r = await runCli([...QUIET, '--retries', '2'], { stdin: `${url}\n` });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 1);
  const rec = recordFor(r.records, url);
  assert.equal(rec.ok, true);
  assert.equal(rec.status, 200);
  assert.equal(rec.title, 'Flaky twice-ok');
  assert.equal(rec.attempts, 3);
  assert.equal(seen(path).length, 3, 'the server saw three requests');
});

test('a route failing twice with 503 is EHTTP 503 after 2 attempts with --retries 1', async () => {
  const path = '/flaky/twice-fail?fail=2';
  const url = site.url('127.0.0.1', path);
  const r = await runCli([...QUIET, '--retries', '1'], { stdin: `${url}\n` });
  assert.equal(r.code, 0, r.stderr);
  const rec = recordFor(r.records, url);
  assert.equal(rec.ok, false);
  assert.equal(rec.status, 503);
  assert.equal(errorCodeOf(rec), 'EHTTP');
  assert.equal(rec.attempts, 2);
  assert.equal(seen(path).length, 2, 'the server saw two requests, no third');
});

for (const form of ['seconds', 'HTTP-date'] as const) {
  test(`429 with Retry-After: 1 (${form} form) waits about a second, then the retry is ok`, async (t) => {
    const path = `/retry-after/ra-${form === 'seconds' ? 's' : 'd'}?seconds=1${form === 'HTTP-date' ? '&date=1' : ''}`;
    const url = site.url('127.0.0.1', path);
    const r = await runCli([...QUIET, '--retries', '2'], { stdin: `${url}\n` });
    assert.equal(r.code, 0, r.stderr);
    const rec = recordFor(r.records, url);
    assert.equal(rec.ok, true);
    assert.equal(rec.status, 200);
    assert.equal(rec.title, 'After');
    assert.equal(rec.attempts, 2);
    const reqs = seen(path);
    assert.equal(reqs.length, 2);
    const gap = reqs[1]!.at - reqs[0]!.at;
    t.diagnostic(`server-seen gap between the 429 and the retry: ${gap.toFixed(0)} ms`);
    // Backoff alone would retry after 125–250 ms; only honouring Retry-After gives ≥ ~1 s.
    assert.ok(gap >= 900, `server-seen gap ${gap.toFixed(0)} ms should be ≥ 900 ms`);
    assert.ok(gap < 5_000, `server-seen gap ${gap.toFixed(0)} ms should be < 5000 ms`);
  });
}

test('a connection reset mid-body is an ECONNRESET record and the rest of the list is still ok', async () => {
  const reset = site.url('127.0.0.1', '/reset-mid-body');
  const pages = [1, 2, 3].map((n) => site.url('127.0.0.1', `/page/${n}`));
  const list = await writeList(dir.file('reset.txt'), [pages[0]!, reset, pages[1]!, pages[2]!]);
  site.resetStats();
  const r = await runCli([...QUIET, '--retries', '0', list]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 4);
  const rec = recordFor(r.records, reset);
  assert.equal(rec.ok, false);
  assert.equal(errorCodeOf(rec), 'ECONNRESET');
  assert.equal(rec.attempts, 1);
  assert.equal(rec.status, 200);
  assert.equal(rec.bytes, 1000, 'bytes counts what arrived before the reset (the fixture sends 1000)');
  assert.equal(seen('/reset-mid-body').length, 1, '--retries 0: one request');
  for (const [i, p] of pages.entries()) {
    const ok = recordFor(r.records, p);
    assert.equal(ok.ok, true, `page ${i + 1}`);
    assert.equal(ok.title, `Page ${i + 1}`);
  }
});

test('a connection reset mid-body is retried like other network errors', async () => {
  const reset = site.url('127.0.0.1', '/reset-mid-body?again=1');
  site.resetStats();
  const r = await runCli([...QUIET, '--retries', '1'], { stdin: `${reset}\n` });
  assert.equal(r.code, 0, r.stderr);
  const rec = recordFor(r.records, reset);
  assert.equal(errorCodeOf(rec), 'ECONNRESET');
  assert.equal(rec.attempts, 2);
  assert.equal(seen('/reset-mid-body?again=1').length, 2);
});

test('corrupt gzip, truncated gzip and an unknown content-encoding are EBODY records (an unknown charset is windows-1252, issue 13), not retried, and the crawl goes on', async () => {
  // A gzip body cut short inside a complete HTTP message (exact Content-Length, connection intact) is
  // broken content, not a broken connection: EBODY, and a retry would fetch the same bytes again.
  const bad = ['/bad-gzip', '/truncated-gzip', '/unknown-encoding'].map((p) => site.url('127.0.0.1', p));
  const good = [site.url('127.0.0.1', '/page/7'), site.url('127.0.0.1', '/gzip'), site.url('127.0.0.1', '/charset/bad')];
  const list = await writeList(dir.file('bad.txt'), [bad[0]!, good[0]!, bad[1]!, good[2]!, good[1]!, bad[2]!]);
  site.resetStats();
  const r = await runCli([...QUIET, '--retries', '2', list]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 6);
  for (const url of bad) {
    const rec = recordFor(r.records, url);
    assert.equal(rec.ok, false, url);
    assert.equal(errorCodeOf(rec), 'EBODY', `${url}: ${JSON.stringify(rec.error)}`);
    assert.equal(rec.status, 200, url);
    assert.equal(rec.attempts, 1, `${url} is not retried`);
    assert.equal(seen(new URL(url).pathname).length, 1, `${url}: one request`);
  }
  assert.equal(recordFor(r.records, good[0]!).title, 'Page 7');
  assert.equal(recordFor(r.records, good[1]!).title, 'Gzip Page');
  assert.equal(recordFor(r.records, good[2]!).title, 'Bad Charset');
});

test('a truncated gzip body is EBODY every time (20 fetches, no ECONNRESET)', async () => {
  const urls = Array.from({ length: 20 }, (_, i) => site.url(i % 2 ? '127.0.0.2' : '127.0.0.1', `/truncated-gzip?n=${i}`));
  const r = await runCli([...QUIET, '--retries', '0', '--limit', '8'], { stdin: urls.join('\n') + '\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 20);
  const codes = r.records.map(errorCodeOf);
  assert.deepEqual(codes, Array(20).fill('EBODY'));
});

test('20 URLs on hosts that refuse connections finish fast with one ECONNREFUSED record each (--retries 2)', async (t) => {
  const port = await closedPort(['127.0.0.3', '127.0.0.4']);
  const urls = Array.from({ length: 20 }, (_, i) => `http://127.0.0.${3 + (i % 2)}:${port}/page/${i}`);
  const list = await writeList(dir.file('down.txt'), urls);
  const t0 = performance.now();
  const r = await runCli([...QUIET, '--retries', '2', list]);
  const elapsed = performance.now() - t0;
  t.diagnostic(`20 refused URLs × 3 attempts: ${elapsed.toFixed(0)} ms`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 20);
  assert.deepEqual(new Set(r.records.map((x) => x.url)), new Set(urls));
  for (const rec of r.records) {
    assert.equal(rec.ok, false);
    assert.equal(errorCodeOf(rec), 'ECONNREFUSED', JSON.stringify(rec));
    assert.equal(rec.attempts, 3);
  }
  assert.ok(elapsed < 15_000, `took ${elapsed.toFixed(0)} ms, should be < 15 s`);
});

test('1000 junk lines finish in a few seconds with 1000 EINVALIDURL records, one per line', async (t) => {
  const kinds = [
    (i: number) => `not a url ${i}`,
    (i: number) => `ftp://127.0.0.1/file-${i}`,
    (i: number) => `mailto:user${i}@127.0.0.1`,
    (i: number) => `127.0.0.1/no-scheme/${i}`,
    (i: number) => `http://[::1/${i}`,
    (i: number) => `javascript:void(${i})`,
    () => 'http://',
    (i: number) => `://nohost/${i}`,
  ];
  const junk = Array.from({ length: 1000 }, (_, i) => kinds[i % kinds.length]!(i));
  // Guard the test itself: no line may be a fetchable http(s) URL (that could mean a DNS look-up).
  for (const l of junk) assert.ok(!URL.canParse(l) || !/^https?:$/.test(new URL(l).protocol) || new URL(l).hostname === '', l);
  const list = await writeList(dir.file('junk.txt'), junk);
  const t0 = performance.now();
  const r = await runCli([...QUIET, list]);
  const elapsed = performance.now() - t0;
  t.diagnostic(`1000 junk lines: ${elapsed.toFixed(0)} ms`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 1000);
  assert.ok(r.records.every((x) => errorCodeOf(x) === 'EINVALIDURL' && x.ok === false));
  assert.deepEqual(r.records.map((x) => x.line).sort((a, b) => (a as number) - (b as number)), Array.from({ length: 1000 }, (_, i) => i + 1));
  assert.ok(elapsed < 10_000, `took ${elapsed.toFixed(0)} ms, should be < 10 s`);
});
