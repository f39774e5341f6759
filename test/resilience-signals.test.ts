// Resilience, part 3: interruption. SIGINT/SIGTERM stop the crawl with exit 130/143 and leave only
// complete NDJSON lines; --resume then finishes the list with exactly one record per URL (also after
// a torn last line); a second SIGINT aborts at once instead of waiting out the 2 s grace.
import assert from 'node:assert/strict';
import { readFile, appendFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { performance } from 'node:perf_hooks';
import { startSite, type FixtureSite } from '../fixtures/site.js';
import { runCli, startCli, tempDir, waitForStdout } from './helpers/cli.js';
import { exited, killIfRunning, spawnWithOpenStdin, waitForStderr, waitUntil, writeList } from './helpers/resilience.js';

let site: FixtureSite;
let dir: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'] });
  dir = await tempDir('crawl-resilience-signals-');
});

after(async () => {
  await site.close();
  await dir.cleanup();
});

const QUIET = ['--progress', 'never'];

/** Parses every line of an NDJSON text; fails on a torn line or a missing final newline. */
function completeLines(text: string, what: string): Record<string, unknown>[] {
  if (text === '') return [];
  assert.ok(text.endsWith('\n'), `${what} should end with a newline, ends with ${JSON.stringify(text.slice(-80))}`);
  return text.slice(0, -1).split('\n').map((l, i) => {
    try {
      const rec = JSON.parse(l) as Record<string, unknown>;
      assert.equal(typeof rec.url, 'string', `${what} line ${i + 1} has a url`);
      return rec;
    } catch (err) {
      assert.fail(`${what} line ${i + 1} is not complete JSON: ${JSON.stringify(l.slice(0, 200))} (${(err as Error).message})`);
    }
  });
}

function countLines(text: string): number {
  return text.split('\n').length - 1;
}

/** 60 delayed pages alternating over two hosts: about 4.5 s of crawling at --limit 4. */
function sixtyUrls(tag: string): string[] {
  return Array.from({ length: 60 }, (_, i) => site.url(i % 2 ? '127.0.0.2' : '127.0.0.1', `/page/${i + 1}?delay=300&run=${tag}`));
}

/**
 * Starts `crawl --limit 4 -o out list`, waits until ≥ 5 records are in the file, sends SIGINT and
 * checks exit 130 and complete lines. Returns the URLs written by the interrupted run.
 */
async function interruptedRun(list: string, out: string): Promise<string[]> {
  const { child, result } = startCli([...QUIET, '--limit', '4', '-o', out, list]);
  try {
    await waitUntil('≥ 5 records in the output file', async () => countLines(await readFile(out, 'utf8').catch(() => '')) >= 5);
    child.kill('SIGINT');
    const r = await result;
    assert.equal(r.code, 130, `exit ${r.code} ${r.signal ?? ''} ${r.stderr}`);
  } finally {
    killIfRunning(child);
  }
  const recs = completeLines(await readFile(out, 'utf8'), 'the interrupted output');
  assert.ok(recs.length >= 5, `${recs.length} records after SIGINT`);
  assert.ok(recs.length < 60, `SIGINT should stop the crawl before the end, got all ${recs.length} records`);
  const urls = recs.map((x) => x.url as string);
  assert.equal(new Set(urls).size, urls.length, 'no URL twice in the interrupted output');
  return urls;
}

/** `crawl --resume -o out list`: exit 0 and exactly one complete record per URL of the list. */
async function resumeRun(list: string, out: string, urls: string[], doneBefore: number): Promise<void> {
  site.resetStats();
  const r = await runCli([...QUIET, '--limit', '4', '--resume', '-o', out, list]);
  assert.equal(r.code, 0, r.stderr);
  const recs = completeLines(await readFile(out, 'utf8'), 'the resumed output');
  const got = recs.map((x) => x.url as string);
  assert.equal(recs.length, 60, 'one line per URL');
  assert.equal(new Set(got).size, 60, '60 distinct URLs');
  assert.deepEqual(new Set(got), new Set(urls));
  assert.ok(recs.every((x) => x.ok === true), 'every record ok');
  assert.equal(site.stats.requests, 60 - doneBefore, 'the resumed run fetched only the URLs without a record');
}

test('SIGINT mid-crawl exits 130 with complete lines; --resume then writes exactly one record per URL', async (t) => {
  const urls = sixtyUrls('a');
  const list = await writeList(dir.file('a.txt'), urls);
  const out = dir.file('a.ndjson');
  const done = await interruptedRun(list, out);
  t.diagnostic(`interrupted run left ${done.length} records; resume fetched ${60 - done.length}`);
  await resumeRun(list, out, urls, done.length);
});

test('--resume cuts a torn last line (no newline) and still ends with exactly one record per URL', async (t) => {
  const urls = sixtyUrls('b');
  const list = await writeList(dir.file('b.txt'), urls);
  const out = dir.file('b.ndjson');
  const done = await interruptedRun(list, out);
  // A run killed mid-write: the start of a record for a URL that is NOT done. Were it taken as done,
  // that URL would get no record; were it kept, the file would hold a broken line.
  const victim = urls.find((u) => !done.includes(u))!;
  await appendFile(out, `{"url":"${victim}","ok":tr`);
  t.diagnostic(`interrupted run left ${done.length} records, then a torn line for ${victim}`);
  await resumeRun(list, out, urls, done.length);
});

test('SIGTERM mid-crawl exits 143 and stdout holds only complete lines', async () => {
  const urls = Array.from({ length: 30 }, (_, i) => site.url('127.0.0.1', `/page/${i + 1}?delay=300&run=term`));
  const list = await writeList(dir.file('term.txt'), urls);
  const { child, result } = startCli([...QUIET, '--limit', '2', list]);
  try {
    await waitForStdout(child, (s) => countLines(s) >= 3);
    child.kill('SIGTERM');
    const r = await result;
    assert.equal(r.code, 143, `exit ${r.code} ${r.signal ?? ''} ${r.stderr}`);
    const recs = completeLines(r.stdout, 'stdout');
    assert.ok(recs.length >= 3 && recs.length < 30, `${recs.length} records`);
  } finally {
    killIfRunning(child);
  }
});

/** Starts a crawl of 4 hanging URLs and waits until the server holds all 4 requests. */
async function hangingCrawl(tag: string): Promise<ReturnType<typeof startCli>> {
  const urls = Array.from({ length: 4 }, (_, i) => site.url('127.0.0.1', `/hang?n=${i}&run=${tag}`));
  const list = await writeList(dir.file(`${tag}.txt`), urls);
  site.resetStats();
  const cli = startCli([...QUIET, '-t', '60000', '--retries', '0', '--log-level', 'info', list], { timeoutMs: 20_000 });
  try {
    await waitUntil('4 requests in flight at the server', () => site.stats.perHost.get('127.0.0.1')?.inFlight === 4);
  } catch (err) {
    killIfRunning(cli.child);
    throw err;
  }
  return cli;
}

test('a second SIGINT aborts hanging requests at once: exit 130 well before the 2 s grace, no records', async (t) => {
  const { child, result } = await hangingCrawl('twice');
  const exit = exited(child);
  try {
    // Wait until the first SIGINT was handled (the "stopping" log line), so the two signals cannot
    // merge into one pending signal in the kernel.
    const stopping = waitForStderr(child, (s) => s.includes('"msg":"stopping"'));
    child.kill('SIGINT');
    await stopping;
    const second = performance.now();
    child.kill('SIGINT');
    const e = await exit;
    const r = await result;
    const took = e.at - second;
    t.diagnostic(`exit ${took.toFixed(0)} ms after the second SIGINT`);
    assert.equal(r.code, 130, r.stderr);
    assert.ok(took < 1_000, `exit ${took.toFixed(0)} ms after the second SIGINT, should be < 1000 ms`);
    assert.equal(r.stdout, '', 'aborted requests leave no record');
  } finally {
    killIfRunning(child);
  }
});

test('one SIGINT gives hanging requests the 2 s grace, then aborts them: exit 130, no records', async (t) => {
  const { child, result } = await hangingCrawl('once');
  const exit = exited(child);
  try {
    const sent = performance.now();
    child.kill('SIGINT');
    const e = await exit;
    const r = await result;
    const took = e.at - sent;
    t.diagnostic(`exit ${took.toFixed(0)} ms after a single SIGINT`);
    assert.equal(r.code, 130, r.stderr);
    assert.ok(took >= 1_800 && took < 6_000, `exit ${took.toFixed(0)} ms after SIGINT, should be about the 2 s grace`);
    assert.equal(r.stdout, '', 'aborted requests leave no record');
  } finally {
    killIfRunning(child);
  }
});

test('SIGINT stops a crawl whose stdin stays open (tail -f | crawl, a terminal): exit 130 without waiting for EOF', async (t) => {
  const urls = [site.url('127.0.0.1', '/page/1?stdin=open'), site.url('127.0.0.2', '/page/2?stdin=open')];
  const { child, stdout } = spawnWithOpenStdin([...QUIET]);
  const exit = exited(child);
  // Kill by PID if it does not exit on its own; the assertions below then fail.
  const guard = setTimeout(() => killIfRunning(child), 8_000);
  try {
    child.stdin!.write(urls.join('\n') + '\n');
    await waitUntil('2 records on stdout', () => countLines(stdout()) >= 2);
    const sent = performance.now();
    child.kill('SIGINT');
    const e = await exit;
    const took = e.at - sent;
    t.diagnostic(`exit ${took.toFixed(0)} ms after SIGINT with stdin still open`);
    assert.equal(e.signal, null, 'the crawl exited by itself, it was not killed');
    assert.equal(e.code, 130);
    assert.ok(took < 3_000, `exit ${took.toFixed(0)} ms after SIGINT, nothing was in flight`);
    const recs = completeLines(stdout(), 'stdout');
    assert.deepEqual(new Set(recs.map((x) => x.url)), new Set(urls));
  } finally {
    clearTimeout(guard);
    killIfRunning(child);
  }
});
