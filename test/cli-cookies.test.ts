// The session's cookie jar end to end: -c/-b across runs, cookies set on redirect hops, -b strings and
// Netscape files (with #HttpOnly_ lines), the Netscape file -c writes (and curl reads), host and Secure rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { startSite } from '../fixtures/site.js';
import { runCli, tempDir } from './helpers/cli.js';

const run = promisify(execFile);

type Rec = Record<string, unknown>;

function byPath(records: Rec[], path: string): Rec {
  const r = records.find((rec) => new URL(String(rec.url)).pathname === path);
  assert.ok(r, `a record for ${path}`);
  return r;
}

async function hasCurl(): Promise<boolean> {
  try {
    await run('sh', ['-c', 'command -v curl']);
    return true;
  } catch {
    return false;
  }
}

test('cookies: -c saves the session from one run, -b jar.txt sends it in the next (Welcome); without it, 401', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  const dir = await tempDir();
  t.after(() => Promise.all([site.close(), dir.cleanup()]));
  const jar = dir.file('jar.txt');

  const first = await runCli(['-', '-c', jar, '--progress', 'never'], { stdin: site.url('127.0.0.1', '/cookie/set') + '\n' });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.records[0]?.title, 'Cookie Set');

  const without = await runCli(['-', '--progress', 'never'], { stdin: site.url('127.0.0.1', '/cookie/need') + '\n' });
  assert.equal(without.records[0]?.status, 401, 'no jar, no session');

  const second = await runCli(['-', '-b', jar, '--progress', 'never'], { stdin: site.url('127.0.0.1', '/cookie/need') + '\n' });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.records.length, 1);
  assert.equal(second.records[0]?.ok, true);
  assert.equal(second.records[0]?.status, 200);
  assert.equal(second.records[0]?.title, 'Welcome');
});

test('cookies: a cookie set on a redirect hop is sent on the next hop (/redirect/cookie → Hop ok)', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  t.after(() => site.close());
  const r = await runCli(['-', '--progress', 'never'], { stdin: site.url('127.0.0.1', '/redirect/cookie') + '\n' });
  assert.equal(r.code, 0, r.stderr);
  const rec = r.records[0]!;
  assert.equal(rec.ok, true);
  assert.equal(rec.title, 'Hop ok');
  assert.equal(rec.redirects, 1);
  assert.equal(rec.finalUrl, site.url('127.0.0.1', '/cookie/hop'));
});

test('cookies: -b "session=abc123" sends that cookie string', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  t.after(() => site.close());
  const r = await runCli(['-', '-b', 'session=abc123', '--progress', 'never'], { stdin: site.url('127.0.0.1', '/cookie/need') + '\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records[0]?.ok, true);
  assert.equal(r.records[0]?.title, 'Welcome');
});

test('cookies: -b reads a Netscape file, #HttpOnly_ lines included, comments skipped, Secure cookies kept off http', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'] });
  const dir = await tempDir();
  t.after(() => Promise.all([site.close(), dir.cleanup()]));
  const file = dir.file('cookies.txt');
  await writeFile(file, [
    '# Netscape HTTP Cookie File',
    '# a comment: 127.0.0.1\tFALSE\t/\tFALSE\t0\tcommented\tout',
    '',
    '#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc123',
    '127.0.0.1\tFALSE\t/\tFALSE\t0\tplain\tyes',
    '127.0.0.1\tFALSE\t/\tTRUE\t0\tsecret\tno',
    '',
  ].join('\r\n'));
  const r = await runCli(['-', '-b', file, '--limit', '1', '--progress', 'never'], {
    stdin: [site.url('127.0.0.1', '/cookie/need'), site.url('127.0.0.1', '/cookie/echo')].join('\n'),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(byPath(r.records, '/cookie/need').title, 'Welcome', 'the #HttpOnly_ cookie is sent');
  const echoed = site.stats.log.find((e) => e.path === '/cookie/echo')?.headers.cookie;
  assert.equal(typeof echoed, 'string');
  const pairs = String(echoed).split(';').map((s) => s.trim()).sort();
  assert.deepEqual(pairs, ['plain=yes', 'session=abc123'], 'no commented-out cookie, no Secure cookie over http');
});

test('cookies: -c writes a Netscape file (7 tab-separated fields, #HttpOnly_ prefix) that curl sends back', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  const dir = await tempDir();
  t.after(() => Promise.all([site.close(), dir.cleanup()]));
  const jar = dir.file('jar.txt');
  const r = await runCli(['-', '-c', jar, '--progress', 'never'], {
    stdin: [site.url('127.0.0.1', '/cookie/set'), site.url('127.0.0.1', '/redirect/cookie')].join('\n'),
  });
  assert.equal(r.code, 0, r.stderr);
  const text = await readFile(jar, 'utf8');
  const all = text.split('\n');
  assert.equal(all[0], '# Netscape HTTP Cookie File');
  const entries = all.filter((l) => l !== '' && (!l.startsWith('#') || l.startsWith('#HttpOnly_')));
  assert.equal(entries.length, 2, text);
  for (const e of entries) assert.equal(e.split('\t').length, 7, `7 fields in ${JSON.stringify(e)}`);
  const session = entries.find((e) => e.endsWith('\tsession\tabc123'));
  const hop = entries.find((e) => e.endsWith('\thop\t1'));
  assert.ok(session && hop, text);
  const [sDomain, sSub, sPath, sSecure, sExpiry] = session.split('\t');
  assert.equal(sDomain, '#HttpOnly_127.0.0.1', 'HttpOnly cookie carries the prefix');
  assert.equal(sSub, 'FALSE');
  assert.equal(sPath, '/');
  assert.equal(sSecure, 'FALSE');
  assert.match(sExpiry!, /^\d+$/);
  assert.equal(hop.split('\t')[0], '127.0.0.1', 'a cookie without HttpOnly has no prefix');

  if (!(await hasCurl())) {
    t.diagnostic('curl not installed: skipped the curl round trip');
    return;
  }
  const { stdout } = await run('curl', ['-s', '--noproxy', '*', '-b', jar, site.url('127.0.0.1', '/cookie/echo')]);
  const cookie = (JSON.parse(stdout) as { cookie: string | null }).cookie;
  assert.equal(typeof cookie, 'string', `curl sent no cookie: ${stdout}`);
  assert.deepEqual(cookie!.split(';').map((s) => s.trim()).sort(), ['hop=1', 'session=abc123']);
});

test('cookies: a cookie set by 127.0.0.1 is not sent to 127.0.0.2 in the same run, but is sent back to 127.0.0.1', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'] });
  t.after(() => site.close());
  const r = await runCli(['-', '--limit', '1', '--progress', 'never'], {
    stdin: [site.url('127.0.0.1', '/cookie/set'), site.url('127.0.0.2', '/cookie/echo'), site.url('127.0.0.1', '/cookie/echo')].join('\n'),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 3);
  assert.ok(r.records.every((rec) => rec.ok === true));
  // The record carries no body; the fixture's request log shows the Cookie header each host got.
  const order = site.stats.log.map((e) => `${e.host}${e.path}`);
  assert.deepEqual(order, ['127.0.0.1/cookie/set', '127.0.0.2/cookie/echo', '127.0.0.1/cookie/echo'], 'with --limit 1 the set comes first');
  const cookieAt = (host: string): unknown => site.stats.log.find((e) => e.host === host && e.path === '/cookie/echo')?.headers.cookie ?? null;
  assert.equal(cookieAt('127.0.0.2'), null, 'host 2 gets no cookie of host 1');
  assert.equal(cookieAt('127.0.0.1'), 'session=abc123', 'host 1 gets its own cookie back');
});

test('cookies: a Secure cookie set over http is not sent over http', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1'] });
  t.after(() => site.close());
  const r = await runCli(['-', '--limit', '1', '--progress', 'never'], {
    stdin: [site.url('127.0.0.1', '/cookie/secure'), site.url('127.0.0.1', '/cookie/set'), site.url('127.0.0.1', '/cookie/echo')].join('\n'),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(byPath(r.records, '/cookie/secure').title, 'Secure Cookie Set');
  const echo = site.stats.log.find((e) => e.path === '/cookie/echo');
  assert.equal(echo?.headers.cookie, 'session=abc123', 'the plain cookie is sent, sec=1 is not');
});

test('cookies: a jar curl wrote (-c) is read by crawl -b; .domain lines match subdomains, host-only lines only their host', async (t) => {
  const site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'] });
  const dir = await tempDir();
  t.after(() => Promise.all([site.close(), dir.cleanup()]));
  const P = site.port;

  // Names without DNS: --resolve sends www.example.test and a.example.test to loopback addresses.
  const file = dir.file('domains.txt');
  await writeFile(file, `.example.test\tTRUE\t/\tFALSE\t0\tdom\t1\nwww.example.test\tFALSE\t/\tFALSE\t0\thostonly\t1\n`);
  const r = await runCli(['-', '-b', file, '--resolve', `www.example.test:${P}:127.0.0.1`, '--resolve', `a.example.test:${P}:127.0.0.2`, '--progress', 'never'], {
    stdin: `http://www.example.test:${P}/cookie/echo\nhttp://a.example.test:${P}/cookie/echo\n`,
  });
  assert.equal(r.code, 0, r.stderr);
  const sent = (host: string): unknown => site.stats.log.find((e) => e.host === host)?.headers.cookie;
  assert.deepEqual(String(sent('127.0.0.1')).split('; ').sort(), ['dom=1', 'hostonly=1']);
  assert.equal(sent('127.0.0.2'), 'dom=1', 'the host-only cookie stays with its host');

  if (!(await hasCurl())) {
    t.diagnostic('curl not installed: skipped reading a curl-written jar');
    return;
  }
  site.resetStats();
  const curlJar = dir.file('curl-jar.txt');
  await run('curl', ['-s', '--noproxy', '*', '-o', '/dev/null', '-c', curlJar, site.url('127.0.0.1', '/cookie/set')]);
  assert.match(await readFile(curlJar, 'utf8'), /^#HttpOnly_127\.0\.0\.1\t/m, 'curl wrote an HttpOnly line');
  const need = await runCli(['-', '-b', curlJar, '--progress', 'never'], { stdin: site.url('127.0.0.1', '/cookie/need') });
  assert.equal(need.records[0]?.title, 'Welcome');
});
