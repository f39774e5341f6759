// Issue 13, rows 4–7: cookie bounds (name + value over 4096 bytes ignored, 180 per domain, oldest
// evicted), "set a cookie, redirect to yourself" followed (a loop only when nothing changed), UTF-8
// bytes in Location read as UTF-8 (Latin-1 only when not valid UTF-8), and a UTF-8 cookie value kept
// byte-identical in the -c jar and on the wire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startSite } from '../fixtures/site.js';
import { UTF8_CAFE } from '../fixtures/routes/rough.js';
import { runCli, tempDir } from './helpers/cli.js';

type Rec = Record<string, unknown>;
const QUIET = ['--progress', 'never', '--retries', '0'];

function byPath(records: Rec[], path: string): Rec {
  const r = records.find((rec) => { const u = new URL(String(rec.url)); return u.pathname + u.search === path; });
  assert.ok(r, `a record for ${path}`);
  return r;
}

test('cookie bounds: name + value over 4096 bytes is ignored (4096 kept); 200 cookies for one domain keep the newest 180', async (t) => {
  const site = await startSite();
  const dir = await tempDir();
  t.after(() => Promise.all([site.close(), dir.cleanup()]));
  const jar = dir.file('jar.txt');
  const paths = ['/cookie/huge?bytes=4093', '/cookie/many?n=200', '/cookie/names'];
  const r = await runCli(['-', ...QUIET, '-l', '1', '-p', '1', '-c', jar], { stdin: paths.map((p) => site.url('127.0.0.1', p)).join('\n') });
  assert.equal(r.code, 0, r.stderr);
  const names = site.stats.log.find((e) => e.path === '/cookie/names');
  assert.ok(names, 'the names request was made');
  const sent = String(names.headers.cookie ?? '').split('; ').map((p) => p.split('=')[0]);
  assert.equal(sent.length, 180, 'at most 180 cookies for the domain');
  assert.ok(!sent.includes('big'), 'the oldest (the 4,096-byte one, then c0…c18) were evicted');
  assert.deepEqual(sent.filter((n) => n.startsWith('c')).sort(), Array.from({ length: 180 }, (_, i) => `c${i + 20}`).sort());

  site.resetStats();
  const h = await runCli(['-', ...QUIET, '-l', '1', '-p', '1'], { stdin: ['/cookie/huge?bytes=4093', '/cookie/names', '/cookie/huge?bytes=5000', '/cookie/names?again=1'].map((p) => site.url('127.0.0.1', p)).join('\n') });
  assert.equal(h.code, 0, h.stderr);
  const first = site.stats.log.find((e) => e.path === '/cookie/names')!;
  assert.equal(String(first.headers.cookie).length, 4 + 4093, 'name + value of 4,096 bytes is kept and sent');
  const second = site.stats.log.find((e) => e.path === '/cookie/names?again=1')!;
  assert.equal(String(second.headers.cookie).length, 4 + 4093, 'the 5,003-byte cookie was ignored: the old one is still sent');
  const saved = await readFile(jar, 'latin1');
  assert.equal(saved.split('\n').filter((l) => /\tc\d+\t/.test(l)).length, 180);
});

test('set a cookie and redirect to yourself is followed; a repeat with nothing changed is still a loop', async (t) => {
  const site = await startSite({ log: false });
  t.after(() => site.close());
  const r = await runCli(['-', ...QUIET], { stdin: ['/redirect/consent', '/redirect/consent-loop', '/redirect/loop'].map((p) => site.url('127.0.0.1', p)).join('\n') });
  assert.equal(r.code, 0, r.stderr);
  const consent = byPath(r.records, '/redirect/consent');
  assert.equal(consent.ok, true, JSON.stringify(consent));
  assert.equal(consent.title, 'Consent given');
  assert.equal(consent.redirects, 1);
  for (const p of ['/redirect/consent-loop', '/redirect/loop']) {
    const rec = byPath(r.records, p);
    assert.equal((rec.error as Rec).code, 'EREDIRECT', p);
    assert.match(String((rec.error as Rec).message), /^redirect loop at /, p);
  }
  const capped = await runCli(['-', ...QUIET, '--max-redirects', '0'], { stdin: site.url('127.0.0.1', '/redirect/consent') });
  assert.equal((capped.records[0]!.error as Rec).message, 'more than 0 redirects', 'the repeated hop counts against --max-redirects');
});

test('UTF-8 bytes in Location are read as UTF-8 (/café → /caf%C3%A9); bytes that are not UTF-8 as Latin-1', async (t) => {
  const site = await startSite({ log: false });
  t.after(() => site.close());
  const r = await runCli(['-', ...QUIET], { stdin: ['/redirect/utf8-location', '/redirect/latin1-location'].map((p) => site.url('127.0.0.1', p)).join('\n') });
  assert.equal(r.code, 0, r.stderr);
  for (const p of ['/redirect/utf8-location', '/redirect/latin1-location']) {
    const rec = byPath(r.records, p);
    assert.equal(rec.finalUrl, site.url('127.0.0.1', '/caf%C3%A9'), p);
    assert.equal(rec.title, 'Café', p);
  }
});

test('a UTF-8 cookie value goes back byte-identical in the same run, into the -c jar, and from it (-b) in the next run', async (t) => {
  const site = await startSite({ log: false });
  const dir = await tempDir();
  t.after(() => Promise.all([site.close(), dir.cleanup()]));
  const jar = dir.file('jar.txt');
  const one = await runCli(['-', ...QUIET, '-l', '1', '-p', '1', '-c', jar], { stdin: ['/cookie/utf8', '/cookie/utf8-check'].map((p) => site.url('127.0.0.1', p)).join('\n') });
  assert.equal(one.code, 0, one.stderr);
  assert.equal(byPath(one.records, '/cookie/utf8-check').title, 'UTF-8 cookie ok');
  const bytes = await readFile(jar);
  assert.ok(bytes.includes(Buffer.from('\tu\tcaf\u00e9\n', 'utf8')), `the jar holds the UTF-8 bytes of café: ${bytes.toString('hex')}`);
  assert.equal(UTF8_CAFE, Buffer.from('café', 'utf8').toString('latin1'));
  const two = await runCli(['-', ...QUIET, '-b', jar], { stdin: site.url('127.0.0.1', '/cookie/utf8-check') });
  assert.equal(two.records[0]!.title, 'UTF-8 cookie ok');
  const str = await runCli(['-', ...QUIET, '-b', 'u=café'], { stdin: site.url('127.0.0.1', '/cookie/utf8-check') });
  assert.equal(str.records[0]!.title, 'UTF-8 cookie ok', 'a -b string typed in UTF-8 goes out as its UTF-8 bytes');
});
