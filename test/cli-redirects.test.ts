// Redirects end to end: hop counts, finalUrl, --max-redirects bounds, loops, non-http targets, relative
// Locations; and which -H headers follow a redirect (credentials only within the starting origin).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSite } from '../fixtures/site.js';
import { runCli } from './helpers/cli.js';

type Rec = Record<string, unknown>;

function byUrl(records: Rec[], url: string): Rec {
  const r = records.find((rec) => rec.url === url);
  assert.ok(r, `a record for ${url}`);
  return r;
}

test('redirects: /redirect/3 follows 4 hops to /page/1; --max-redirects 4 is enough, 3 is EREDIRECT', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  t.after(() => site.close());
  const url = site.url('127.0.0.1', '/redirect/3');
  const r = await runCli(['-', '--progress', 'never'], { stdin: url + '\n' });
  assert.equal(r.code, 0, r.stderr);
  const rec = r.records[0]!;
  assert.equal(rec.ok, true);
  assert.equal(rec.status, 200);
  assert.equal(rec.url, url);
  assert.equal(rec.redirects, 4);
  assert.equal(rec.finalUrl, site.url('127.0.0.1', '/page/1'));
  assert.equal(rec.title, 'Page 1');

  const enough = await runCli(['-', '--max-redirects', '4', '--progress', 'never'], { stdin: url + '\n' });
  assert.equal(enough.records[0]?.ok, true);
  const short = await runCli(['-', '--max-redirects', '3', '--progress', 'never'], { stdin: url + '\n' });
  assert.equal(short.code, 0);
  assert.equal(short.records[0]?.ok, false);
  assert.deepEqual((short.records[0]?.error as Rec).code, 'EREDIRECT');
});

test('redirects: --max-redirects 1, a loop and an ftp: target are EREDIRECT records; a relative Location resolves', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  t.after(() => site.close());
  const two = site.url('127.0.0.1', '/redirect/1');
  const loop = site.url('127.0.0.1', '/redirect/loop');
  const ftp = site.url('127.0.0.1', '/redirect/ftp');
  const relative = site.url('127.0.0.1', '/redirect/relative');
  const r = await runCli(['-', '--max-redirects', '1', '--retries', '0', '--progress', 'never'], { stdin: [two, loop, ftp, relative].join('\n') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 4);
  for (const url of [two, loop, ftp]) {
    const rec = byUrl(r.records, url);
    assert.equal(rec.ok, false, url);
    assert.equal((rec.error as Rec).code, 'EREDIRECT', url);
    assert.equal(typeof (rec.error as Rec).message, 'string');
    assert.equal(rec.status, null, `${url}: no final response`);
  }
  const rel = byUrl(r.records, relative);
  assert.equal(rel.ok, true);
  assert.equal(rel.redirects, 1);
  assert.equal(rel.finalUrl, site.url('127.0.0.1', '/page/2'));

  // The loop is caught by itself, not by the hop limit.
  const loopOnly = await runCli(['-', '--max-redirects', '50', '--progress', 'never'], { stdin: loop + '\n' });
  assert.equal((loopOnly.records[0]?.error as Rec | undefined)?.code, 'EREDIRECT');
  assert.match(String((loopOnly.records[0]?.error as Rec).message), /loop/);
});

test('headers: -H Authorization and Cookie are dropped on a redirect to another host, X-Keep is kept', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'] });
  t.after(() => site.close());
  const target = site.url('127.0.0.2', '/headers');
  const start = site.url('127.0.0.1', `/redirect/to?url=${encodeURIComponent(target)}`);
  const r = await runCli(['-', '-H', 'Authorization: Bearer x', '-H', 'X-Keep: 1', '-H', 'Cookie: c=1', '--progress', 'never'], { stdin: start + '\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records[0]?.ok, true);
  assert.equal(r.records[0]?.finalUrl, target);
  assert.equal(r.records[0]?.contentType, 'application/json');

  const first = site.stats.log.find((e) => e.host === '127.0.0.1' && e.path.startsWith('/redirect/to'));
  const final = site.stats.log.find((e) => e.host === '127.0.0.2' && e.path === '/headers');
  assert.ok(first && final, 'both hops reached the fixture');
  assert.equal(first.headers.authorization, 'Bearer x', 'the first hop gets Authorization');
  assert.equal(first.headers.cookie, 'c=1');
  assert.equal(final.headers.authorization, undefined, 'Authorization does not follow to another host');
  assert.equal(final.headers.cookie, undefined, 'a -H Cookie does not follow to another host');
  assert.equal(final.headers['x-keep'], '1', 'other headers do follow');
});

test('headers: a same-origin redirect keeps Authorization', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'] });
  t.after(() => site.close());
  const start = site.url('127.0.0.1', `/redirect/to?url=${encodeURIComponent('/headers')}`);
  const r = await runCli(['-', '-H', 'Authorization: Bearer x', '-H', 'X-Keep: 1', '--progress', 'never'], { stdin: start + '\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records[0]?.finalUrl, site.url('127.0.0.1', '/headers'));
  const final = site.stats.log.find((e) => e.path === '/headers');
  assert.equal(final?.headers.authorization, 'Bearer x');
  assert.equal(final?.headers['x-keep'], '1');
});

test('headers: user:password in a URL goes as Basic auth to its own origin only, and -H Authorization wins over it', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'] });
  t.after(() => site.close());
  const other = site.url('127.0.0.2', '/headers');
  const withUser = (path: string): string => site.url('127.0.0.1', path).replace('http://', 'http://us%20er:p%40ss@');
  const list = [withUser('/headers'), withUser(`/redirect/to?url=${encodeURIComponent(other)}`)].join('\n');
  const r = await runCli(['-', '--progress', 'never'], { stdin: list + '\n' });
  assert.equal(r.code, 0, r.stderr);
  const basic = `Basic ${Buffer.from('us er:p@ss').toString('base64')}`;
  const own = site.stats.log.find((e) => e.host === '127.0.0.1' && e.path === '/headers');
  const hop = site.stats.log.find((e) => e.host === '127.0.0.1' && e.path.startsWith('/redirect/to'));
  const away = site.stats.log.find((e) => e.host === '127.0.0.2' && e.path === '/headers');
  assert.equal(own?.headers.authorization, basic, 'decoded user:password, base64');
  assert.equal(hop?.headers.authorization, basic);
  assert.ok(away, 'the redirect reached the other host');
  assert.equal(away.headers.authorization, undefined, 'credentials do not follow to another host');

  site.resetStats();
  const given = await runCli(['-', '-H', 'Authorization: Bearer t', '--progress', 'never'], { stdin: withUser('/headers') + '\n' });
  assert.equal(given.code, 0, given.stderr);
  assert.equal(site.stats.log.find((e) => e.path === '/headers')?.headers.authorization, 'Bearer t');
});
