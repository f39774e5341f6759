// Resilience, part 2: the bounds a crawl keeps against hostile servers — --timeout bounds a whole
// attempt (a dripping body cannot stretch it), --max-bytes caps huge bodies and gzip bombs with flat
// memory (peak RSS measured by the OS), and --rate spaces request starts per host.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipBomb } from '../fixtures/bomb.js';
import { startSite, type FixtureSite } from '../fixtures/site.js';
import { runCli, tempDir } from './helpers/cli.js';
import { errorCodeOf, recordFor, runMeasured, writeList } from './helpers/resilience.js';

let site: FixtureSite;
let dir: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  site = await startSite({ hosts: ['127.0.0.1'] });
  dir = await tempDir('crawl-resilience-limits-');
});

after(async () => {
  await site.close();
  await dir.cleanup();
});

const QUIET = ['--progress', 'never'];

test('-t 1500 bounds a hanging server and a 1-byte-per-second body alike: ETIMEDOUT after about 1.5 s', async () => {
  // /drip sends a byte every second, so an idle-gap timeout (1.5 s between bytes) would never fire and
  // the 60-byte body would take a minute; ETIMEDOUT at ~1.5 s proves the whole attempt is bounded.
  const hang = site.url('127.0.0.1', '/hang');
  const drip = site.url('127.0.0.1', '/drip?bytes=60');
  const list = await writeList(dir.file('slow.txt'), [hang, drip]);
  const r = await runCli([...QUIET, '-t', '1500', '--retries', '0', list]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 2);
  for (const url of [hang, drip]) {
    const rec = recordFor(r.records, url);
    assert.equal(rec.ok, false, url);
    assert.equal(errorCodeOf(rec), 'ETIMEDOUT', `${url}: ${JSON.stringify(rec.error)}`);
    assert.equal(rec.attempts, 1, url);
    const ms = rec.ms as number;
    assert.ok(ms >= 1400 && ms < 5000, `${url}: ms ${ms} should be in [1400, 5000)`);
  }
  assert.equal(recordFor(r.records, hang).status, null, 'no headers from /hang');
  assert.equal(recordFor(r.records, drip).status, 200, '/drip sent headers: the timeout hit while reading the body');
});

const MIB = 1048576;
const RSS_LIMIT_KIB = 250 * 1024;

for (const [name, path, title] of [
  ['a 200 MB body', '/huge?mb=200', 'Huge'],
  ['a 1 GiB gzip bomb', '/gzip-bomb?mb=1024', 'Bomb'],
] as const) {
  test(`--max-bytes 1048576 cuts ${name} at 1 MiB (truncated) and peak RSS stays under 250 MB`, async (t) => {
    // Build the bomb in this process before the crawl starts, so the CLI's run is the download only.
    if (path.startsWith('/gzip-bomb')) await gzipBomb(1024);
    const url = site.url('127.0.0.1', path);
    const list = await writeList(dir.file(`${title}.txt`), [url]);
    const r = await runMeasured([...QUIET, '--max-bytes', String(MIB), '--retries', '0', list], dir.file(`${title}.rss`));
    t.diagnostic(`${name}: peak RSS ${(r.peakKiB / 1024).toFixed(1)} MiB (${r.method})`);
    assert.equal(r.code, 0, r.stderr);
    const rec = recordFor(r.records, url);
    assert.equal(rec.ok, true, JSON.stringify(rec));
    assert.equal(rec.truncated, true);
    assert.equal(rec.bytes, MIB);
    assert.equal(rec.title, title);
    assert.ok(r.peakKiB > 10 * 1024, `a peak of ${r.peakKiB} KiB is not a measurement of a node process`);
    assert.ok(r.peakKiB < RSS_LIMIT_KIB, `peak RSS ${(r.peakKiB / 1024).toFixed(1)} MiB should be < 250 MiB`);
  });
}

/** Gaps between consecutive server-seen request starts, in ms. */
function startGaps(): number[] {
  const at = site.stats.log.map((e) => e.at).sort((a, b) => a - b);
  return at.slice(1).map((x, i) => x - at[i]!);
}

test('--rate 5 spaces 8 requests to one host about 200 ms apart at the server, even with 8 slots free', async (t) => {
  const urls = Array.from({ length: 8 }, (_, i) => site.url('127.0.0.1', `/page/${i + 1}?rate=5`));
  const list = await writeList(dir.file('rate.txt'), urls);
  site.resetStats();
  const r = await runCli([...QUIET, '--rate', '5', '--limit', '8', '--per-host', '8', list]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 8);
  assert.ok(r.records.every((x) => x.ok === true));
  assert.equal(site.stats.log.length, 8);
  const gaps = startGaps();
  t.diagnostic(`--rate 5 gaps (ms): ${gaps.map((g) => g.toFixed(0)).join(', ')}`);
  // The client starts them 200 ms apart; a server-seen arrival adds that request's trip, which
  // varies (the first one opens the connection while the CLI is still warming up; a loaded machine
  // adds event-loop lag), measured here up to ~30 ms. So: requests i < j arrive at least
  // 200·(j−i) − 40 ms apart. Jitter cannot accumulate: the first and last of 8 are ≥ 1360 ms apart,
  // which a limiter at 6/s (1167 ms) fails, and a burst (next test: ~0 ms gaps) fails grossly.
  const at = site.stats.log.map((e) => e.at).sort((a, b) => a - b);
  const shown = gaps.map((x) => x.toFixed(0)).join(', ');
  for (let i = 0; i < at.length; i++) {
    for (let j = i + 1; j < at.length; j++) {
      const apart = at[j]! - at[i]!;
      const min = 200 * (j - i) - 40;
      assert.ok(apart >= min, `requests ${i + 1} and ${j + 1} arrived ${apart.toFixed(1)} ms apart, should be ≥ ${min} ms (gaps ${shown})`);
    }
  }
});

test('without --rate the same 8 requests arrive together (the rate test can fail)', async (t) => {
  const urls = Array.from({ length: 8 }, (_, i) => site.url('127.0.0.1', `/page/${i + 1}?rate=none`));
  const list = await writeList(dir.file('norate.txt'), urls);
  site.resetStats();
  const r = await runCli([...QUIET, '--limit', '8', '--per-host', '8', list]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(site.stats.log.length, 8);
  const gaps = startGaps();
  t.diagnostic(`no --rate gaps (ms): ${gaps.map((g) => g.toFixed(0)).join(', ')}`);
  assert.ok(Math.min(...gaps) < 100, `some gap should be < 100 ms without --rate, got ${gaps.map((x) => x.toFixed(0)).join(', ')}`);
});

test('--rate also spaces the retries of a URL (retries are requests to the host too)', async (t) => {
  const path = '/flaky/rate-retries?fail=2';
  site.resetStats();
  const r = await runCli([...QUIET, '--rate', '2', '--retries', '2'], { stdin: `${site.url('127.0.0.1', path)}\n` });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records[0]?.attempts, 3);
  const gaps = startGaps();
  t.diagnostic(`--rate 2, one URL failing twice: gaps between attempts (ms): ${gaps.map((g) => g.toFixed(0)).join(', ')}`);
  assert.equal(gaps.length, 2);
  // Gaps are seen at the server: the first attempt's arrival is late by its connect, the retry's is
  // not (keep-alive), so a loaded machine shows 450-490 ms for 500 ms of client-side spacing. Without
  // --rate the backoff alone would space them 125-500 ms, mostly under 400.
  for (const g of gaps) assert.ok(g >= 400, `attempts ${g.toFixed(0)} ms apart, --rate 2 allows one start per 500 ms`);
});
