// Issue 13, rows 1–3 and 11, against a raw TCP server (fixtures/raw.ts) that sends what node:http
// will not: large header blocks (taken up to 256 KiB), responses that are not HTTP (EPROTO, not
// retried), what curl accepts (204/304 with a Content-Length taken; a 100 Continue and
// `Content-Length: 21, 21` are EPROTO with the reason), and curl's retry list of statuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startRawSite } from '../fixtures/raw.js';
import { startSite } from '../fixtures/site.js';
import { runCli } from './helpers/cli.js';

type Rec = Record<string, unknown>;

async function crawlRaw(paths: string[], extra: string[] = []): Promise<{ by: (p: string) => Rec; hits: Map<string, number> }> {
  const site = await startRawSite();
  try {
    const r = await runCli(['-', '--retries', '2', '--progress', 'never', ...extra], { stdin: paths.map((p) => site.url(p)).join('\n') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.records.length, paths.length, r.stdout);
    const by = (p: string): Rec => {
      const rec = r.records.find((x) => new URL(String(x.url)).pathname === p);
      assert.ok(rec, p);
      return rec;
    };
    return { by, hits: new Map(site.hits) };
  } finally {
    await site.close();
  }
}

const err = (rec: Rec): Rec => (rec.error ?? {}) as Rec;

test('response headers: 1,000 Set-Cookie lines, one 100 KB cookie, 10,000 headers are taken; over 256 KiB is EPROTO', async () => {
  const paths = ['/headers/set-cookie-1000', '/headers/cookie-100k', '/headers/10000', '/headers/over-256k'];
  const { by, hits } = await crawlRaw(paths);
  assert.equal(by('/headers/set-cookie-1000').title, 'Thousand cookies');
  assert.equal(by('/headers/cookie-100k').title, 'Big cookie');
  assert.equal(by('/headers/10000').title, 'Ten thousand headers');
  for (const p of paths.slice(0, 3)) assert.equal(by(p).ok, true, JSON.stringify(by(p).error));
  const over = by('/headers/over-256k');
  assert.deepEqual(err(over), { code: 'EPROTO', message: 'response headers over 256 KiB' });
  assert.equal(over.attempts, 1);
  assert.equal(hits.get('/headers/over-256k'), 1, 'not retried');
});

test('a response that is not HTTP is EPROTO with the reason, tried once', async () => {
  const want: Record<string, RegExp> = {
    '/bad/status-line': /^not valid HTTP\/1\.1: invalid status code$/,
    '/bad/no-colon': /^not valid HTTP\/1\.1: invalid header token$/,
    '/bad/two-lengths': /Content-Length/,
    '/bad/chunk-size': /^not valid HTTP\/1\.1: invalid character in chunk size$/,
  };
  const { by, hits } = await crawlRaw(Object.keys(want));
  for (const [p, re] of Object.entries(want)) {
    const rec = by(p);
    assert.equal(err(rec).code, 'EPROTO', `${p}: ${JSON.stringify(rec)}`);
    assert.match(String(err(rec).message), re, p);
    assert.equal(rec.attempts, 1, p);
    assert.equal(hits.get(p), 1, `${p} not retried`);
  }
  assert.equal(by('/bad/chunk-size').status, 200, 'a mid-body protocol error keeps the response fields');
});

test('what curl accepts: 204/304 with a Content-Length and 103 hints are read; a 100 Continue and "Content-Length: 21, 21" are EPROTO with the reason', async () => {
  const { by, hits } = await crawlRaw(['/curl/204-length', '/curl/304-length', '/curl/103-early-hints', '/curl/100-continue', '/curl/length-21-21']);
  const r204 = by('/curl/204-length');
  assert.equal(r204.ok, true, JSON.stringify(r204));
  assert.equal(r204.status, 204);
  assert.equal(r204.bytes, 0);
  const r304 = by('/curl/304-length');
  assert.equal(r304.status, 304);
  assert.deepEqual(err(r304), { code: 'EHTTP', message: 'HTTP 304' }, 'read as a response (a 304 is not 2xx), not a broken connection');
  assert.equal(by('/curl/103-early-hints').title, 'After hints');
  assert.equal(err(by('/curl/100-continue')).code, 'EPROTO');
  assert.match(String(err(by('/curl/100-continue')).message), /100 Continue/);
  assert.equal(err(by('/curl/length-21-21')).code, 'EPROTO');
  assert.match(String(err(by('/curl/length-21-21')).message), /Content-Length/);
  for (const p of ['/curl/204-length', '/curl/304-length', '/curl/100-continue', '/curl/length-21-21']) assert.equal(hits.get(p), 1, `${p}: one request`);
});

test('curl itself takes the fixtures crawl reads (the yardstick)', async (t) => {
  let curl = true;
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
  } catch {
    curl = false;
  }
  if (!curl) return t.skip('curl is not installed');
  const site = await startRawSite();
  t.after(() => site.close());
  for (const [p, code] of [['/headers/set-cookie-1000', '200'], ['/headers/10000', '200'], ['/curl/204-length', '204'], ['/curl/304-length', '304'], ['/curl/100-continue', '200'], ['/curl/length-21-21', '200']] as const) {
    // Async: the raw server runs in this process.
    const { stdout } = await promisify(execFile)('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '10', site.url(p)], { encoding: 'utf8' });
    assert.equal(stdout, code, p);
  }
});

test('retries only on 408, 429, 500, 502, 503, 504 (curl\'s list): 501, 505 and 999 are tried once', async (t) => {
  const site = await startSite({ log: false });
  t.after(() => site.close());
  const once = ['/status/501', '/status/505', '/status/999', '/status/404'];
  const again = ['/status/502', '/status/504'];
  const r = await runCli(['-', '--retries', '1', '--progress', 'never'], { stdin: [...once, ...again].map((p) => site.url('127.0.0.1', p)).join('\n') });
  assert.equal(r.code, 0, r.stderr);
  for (const p of once) {
    const rec = r.records.find((x) => String(x.url).endsWith(p))!;
    assert.equal(rec.attempts, 1, p);
    assert.equal(rec.status, Number(p.slice(-3)), p);
  }
  for (const p of again) assert.equal(r.records.find((x) => String(x.url).endsWith(p))!.attempts, 2, p);
});
