// --limit / --per-host as the fixture server sees them, and host fairness: a slow host listed first
// must not hold back the fast hosts behind it. Runs the built CLI against loopback fixture hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { startSite } from '../fixtures/site.js';
import { lines, runCli, startCli, tempDir, waitForStdout } from './helpers/cli.js';

const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];

test('--limit 6 --per-host 2 over 4 hosts: at most 6 in flight overall and 2 per host, and both bounds are reached', async (t) => {
  const site = await startSite({ hosts: HOSTS, log: false });
  const dir = await tempDir();
  t.after(() => Promise.all([site.close(), dir.cleanup()]));
  const urls: string[] = [];
  // Host by host, 15 each: only the per-host bound keeps the first host from taking all 6 slots.
  for (let i = 0; i < 60; i++) urls.push(site.url(HOSTS[Math.floor(i / 15)]!, `/page/${i}?delay=200`));
  await writeFile(dir.file('list.txt'), urls.join('\n') + '\n');

  const r = await runCli([dir.file('list.txt'), '--limit', '6', '--per-host', '2', '--progress', 'never']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 60);
  assert.ok(r.records.every((rec) => rec.ok === true), 'every page is ok');
  assert.equal(site.stats.requests, 60);
  assert.ok(site.stats.maxInFlight <= 6, `global max in flight ${site.stats.maxInFlight} > 6`);
  assert.equal(site.stats.maxInFlight, 6, 'the global limit is used to the full');
  for (const host of HOSTS) {
    const h = site.stats.perHost.get(host);
    assert.ok(h, `${host} saw requests`);
    assert.equal(h.requests, 15, `${host} requests`);
    assert.ok(h.maxInFlight <= 2, `${host} max in flight ${h.maxInFlight} > 2`);
    assert.equal(h.maxInFlight, 2, `${host} reaches its per-host bound`);
  }
});

test('--limit 3 --per-host 8 on one host: the global limit caps that host at 3', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  const dir = await tempDir();
  t.after(() => Promise.all([site.close(), dir.cleanup()]));
  const urls: string[] = [];
  for (let i = 0; i < 15; i++) urls.push(site.url('127.0.0.1', `/page/${i}?delay=150`));
  await writeFile(dir.file('list.txt'), urls.join('\n'));

  const r = await runCli([dir.file('list.txt'), '--limit', '3', '--per-host', '8', '--progress', 'never']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 15);
  assert.equal(site.stats.maxInFlight, 3);
  assert.equal(site.stats.perHost.get('127.0.0.1')?.maxInFlight, 3);
});

test('host fairness: 60 fast records from 3 hosts all come out before the 10th record of a slow host listed first', async (t) => {
  const site = await startSite({ hosts: HOSTS, log: false });
  const dir = await tempDir();
  t.after(() => Promise.all([site.close(), dir.cleanup()]));
  const slow = Array.from({ length: 40 }, (_, i) => site.url('127.0.0.1', `/page/${i}?delay=1000`));
  const fast = HOSTS.slice(1).flatMap((h) => Array.from({ length: 20 }, (_, i) => site.url(h, `/page/${i}`)));
  await writeFile(dir.file('list.txt'), [...slow, ...fast].join('\n') + '\n');

  const { child, result } = startCli([dir.file('list.txt'), '--limit', '8', '--per-host', '2', '--progress', 'never']);
  t.after(() => { child.kill('SIGKILL'); });
  const isFast = (l: string): boolean => !l.includes('//127.0.0.1:');
  // The slow host alone needs 20 s; stop as soon as every fast record is out.
  const out = await waitForStdout(child, (s) => lines(s.slice(0, s.lastIndexOf('\n') + 1)).filter(isFast).length >= 60);
  child.kill('SIGKILL');
  await result;

  const seen = lines(out.slice(0, out.lastIndexOf('\n') + 1)).map((l) => JSON.parse(l) as { url: string; ok: boolean });
  const lastFast = seen.findLastIndex((r) => !r.url.includes('//127.0.0.1:'));
  const slowBefore = seen.slice(0, lastFast).filter((r) => r.url.includes('//127.0.0.1:')).length;
  assert.equal(seen.filter((r) => !r.url.includes('//127.0.0.1:')).length, 60);
  assert.ok(seen.every((r) => r.ok), 'records are ok');
  assert.ok(slowBefore < 10, `${slowBefore} slow records came out before the last fast one`);
  // The slow host was being served all along, two at a time, never more.
  assert.ok(site.stats.perHost.get('127.0.0.1')!.maxInFlight <= 2);
  assert.ok(site.stats.perHost.get('127.0.0.1')!.requests >= 2, 'the slow host was being fetched meanwhile');
});
