// -x/--proxy through the real CLI: the http forward proxy (fixtures/proxy.ts) and a SOCKS5 proxy
// (fixtures/socks.ts) each reach http and https URLs; with socks5:// crawl resolves names (and obeys
// --resolve), with socks5h:// the proxy does; cookies, --per-host and header stripping on a
// cross-origin redirect hold through each; a refusing or absent proxy is EPROXY, not retried.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { startProxy, type ForwardProxy } from '../fixtures/proxy.js';
import { startSite, type FixtureSite } from '../fixtures/site.js';
import { startSocksProxy, type SocksProxy } from '../fixtures/socks.js';
import { startTlsRig, type TlsRig } from '../fixtures/tls.js';
import { runCli, type CliResult } from './helpers/cli.js';

type Rec = Record<string, unknown>;

let site: FixtureSite;
let rig: TlsRig;
let http: ForwardProxy;
let socks: SocksProxy;

before(async () => {
  site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'] });
  rig = await startTlsRig();
  http = await startProxy();
  socks = await startSocksProxy({ names: { 'a.test': '127.0.0.1' } });
});
after(() => Promise.all([site.close(), rig.close(), http.close(), socks.close()]));
beforeEach(() => {
  site.resetStats();
  http.requests.length = 0;
  socks.requests.length = 0;
});

/** Every proxy kind crawl speaks, as -x arguments. */
const KINDS = ['http', 'socks5', 'socks5h'] as const;
function proxyArg(kind: (typeof KINDS)[number]): string {
  return kind === 'http' ? http.url : kind === 'socks5' ? socks.url : socks.url.replace('socks5:', 'socks5h:');
}

/** No proxy variables inherited; a dead HTTP(S)_PROXY proves -x overrides them. */
const DEAD_ENV = { HTTP_PROXY: 'http://127.0.0.1:1', HTTPS_PROXY: 'http://127.0.0.1:1', NO_PROXY: '' };

async function crawl(urls: string[], args: string[]): Promise<CliResult> {
  const r = await runCli(['-', '--progress', 'never', '--cacert', rig.pki.root.certFile, ...args], { stdin: urls.join('\n') + '\n', env: DEAD_ENV });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, urls.length, r.stdout);
  return r;
}

function byUrl(r: CliResult, url: string): Rec {
  const rec = r.records.find((x) => x.url === url);
  assert.ok(rec, `a record for ${url}: ${JSON.stringify(r.records)}`);
  return rec;
}

for (const kind of KINDS) {
  test(`-x ${kind}: http and https URLs both come through the proxy, https verified; -x wins over HTTP(S)_PROXY`, async () => {
    const plain = site.url('127.0.0.2', '/page/1');
    const secure = `https://127.0.0.1:${rig.ports.good}/via`;
    const r = await crawl([plain, secure], ['-x', proxyArg(kind)]);
    assert.equal(byUrl(r, plain).title, 'Page 1');
    const s = byUrl(r, secure);
    assert.equal(s.ok, true, JSON.stringify(s));
    assert.deepEqual(s.tls, { version: 'TLSv1.3', verified: true });
    if (kind === 'http') {
      assert.deepEqual(http.requests.map((q) => `${q.method} ${q.target}`).sort(), [`CONNECT 127.0.0.1:${rig.ports.good}`, `GET ${plain}`]);
    } else {
      assert.deepEqual(socks.requests.map((q) => `${q.type} ${q.host}:${q.port}`).sort(), [`ipv4 127.0.0.1:${rig.ports.good}`, `ipv4 127.0.0.2:${site.port}`]);
    }
  });

  test(`-x ${kind}: cookies, --per-host 1 and dropping Authorization on a cross-origin redirect all hold through the proxy`, async () => {
    const set = site.url('127.0.0.2', '/cookie/set');
    const need = site.url('127.0.0.2', '/cookie/need');
    const target = site.url('127.0.0.1', '/headers');
    const hop = site.url('127.0.0.2', `/redirect/to?url=${encodeURIComponent(target)}`);
    const r = await crawl([set, need, hop], ['-x', proxyArg(kind), '--limit', '1', '-H', 'Authorization: Bearer x']);
    assert.equal(byUrl(r, need).title, 'Welcome', 'the cookie set through the proxy came back through it');
    const first = site.stats.log.find((e) => e.path.startsWith('/redirect/to'));
    const final = site.stats.log.find((e) => e.host === '127.0.0.1' && e.path === '/headers');
    assert.equal(first?.headers.authorization, 'Bearer x');
    assert.ok(final, 'the redirect was followed');
    assert.equal(final.headers.authorization, undefined, 'Authorization did not follow to the other origin');
    if (kind === 'http') assert.equal(http.requests.length, 4, 'set, need, the redirect and its target: all through the proxy');
    else assert.ok(socks.requests.some((q) => q.host === '127.0.0.1') && socks.requests.some((q) => q.host === '127.0.0.2'), 'both origins were tunnelled');

    site.resetStats();
    const slow = Array.from({ length: 4 }, (_, i) => site.url('127.0.0.2', `/page/${i + 1}?delay=150&k=${kind}`));
    await crawl(slow, ['-x', proxyArg(kind), '--limit', '4', '--per-host', '1']);
    assert.equal(site.stats.perHost.get('127.0.0.2')?.requests, 4);
    assert.equal(site.stats.perHost.get('127.0.0.2')?.maxInFlight, 1, '--per-host 1 held through the proxy');
  });
}

test('socks5:// resolves names here (with --resolve, no DNS), socks5h:// sends the name for the proxy to resolve', async () => {
  const url = rig.url('good', '/named');
  const local = await crawl([url], ['-x', socks.url, '--resolve', rig.resolve('good')]);
  assert.deepEqual(byUrl(local, url).tls, { version: 'TLSv1.3', verified: true });
  assert.deepEqual(socks.requests, [{ type: 'ipv4', host: '127.0.0.1', port: rig.ports.good }]);
  socks.requests.length = 0;
  const remote = await crawl([url], ['-x', proxyArg('socks5h')]);
  const rec = byUrl(remote, url);
  assert.equal(rec.ok, true, JSON.stringify(rec));
  assert.deepEqual(rec.tls, { version: 'TLSv1.3', verified: true }, 'the certificate is checked against a.test through the tunnel');
  assert.deepEqual(socks.requests, [{ type: 'domain', host: 'a.test', port: rig.ports.good }]);
});

test('--noproxy: listed hosts go direct, the others through the proxy (http and SOCKS alike)', async () => {
  const direct = site.url('127.0.0.1', '/page/1');
  const proxied = site.url('127.0.0.2', '/page/2');
  for (const kind of ['http', 'socks5'] as const) {
    http.requests.length = 0;
    socks.requests.length = 0;
    const r = await crawl([direct, proxied], ['-x', proxyArg(kind), '--noproxy', 'example.test,127.0.0.1']);
    assert.ok(r.records.every((x) => x.ok === true), r.stdout);
    const seen = kind === 'http' ? http.requests.map((q) => q.target) : socks.requests.map((q) => `http://${q.host}:${q.port}/page/2`);
    assert.deepEqual(seen, [proxied], kind);
  }
});

test('EPROXY: a proxy that refuses, wants a password, or is not there; one attempt despite --retries', async (t) => {
  const refusing = await startSocksProxy({ refuse: true });
  const locked = await startProxy({ auth: { user: 'u', pass: 'p w' } });
  const lockedSocks = await startSocksProxy({ auth: { user: 'u', pass: 'p' } });
  t.after(() => Promise.all([refusing.close(), locked.close(), lockedSocks.close()]));
  const plain = site.url('127.0.0.2', '/page/1');
  const secure = `https://127.0.0.1:${rig.ports.good}/e`;
  const dead = 'http://127.0.0.1:1';
  const cases: [string, RegExp][] = [
    [refusing.url, /^socks5:\/\/127\.0\.0\.1:\d+ could not connect to 127\.0\.0\.[12]:\d+: connection not allowed by its rules$/],
    [`http://127.0.0.1:${locked.port}`, /^the proxy (http:\/\/127\.0\.0\.1:\d+ )?wants authentication \(407; give user:password@ in the proxy URL\)$/],
    [`socks5://127.0.0.1:${lockedSocks.port}`, /accepts none of crawl's SOCKS5 authentication methods \(it may want user:password@ in the proxy URL\)$/],
    [`socks5://u:wrong@127.0.0.1:${lockedSocks.port}`, /refused the user name and password$/],
    [dead, /^cannot connect to the proxy http:\/\/127\.0\.0\.1:1: connection refused$/],
    ['socks5h://127.0.0.1:1', /^cannot connect to the proxy socks5h:\/\/127\.0\.0\.1:1: connection refused$/],
  ];
  for (const [proxy, message] of cases) {
    const r = await crawl([plain, secure], ['-x', proxy, '--retries', '2']);
    for (const url of [plain, secure]) {
      const rec = byUrl(r, url);
      const err = rec.error as { code: string; message: string } | undefined;
      assert.equal(err?.code, 'EPROXY', `${proxy} ${url}: ${JSON.stringify(rec)}`);
      assert.match(err.message, message, proxy);
      assert.equal(rec.attempts, 1, `${proxy}: not retried`);
    }
  }
  // The right credentials open both.
  const ok = await crawl([plain, secure], ['-x', `http://u:p%20w@127.0.0.1:${locked.port}`]);
  const okSocks = await crawl([plain, secure], ['-x', `socks5://u:p@127.0.0.1:${lockedSocks.port}`]);
  for (const r of [ok, okSocks]) assert.ok(r.records.every((x) => x.ok === true), r.stdout);
  assert.equal(lockedSocks.requests.at(-1)?.user, 'u');
});

test('-x: a value that is not a usable proxy URL is a usage error (exit 2, one line)', async () => {
  for (const [value, message] of [['ftp://127.0.0.1:21', /unsupported proxy scheme "ftp"/], ['socks4://127.0.0.1:1080', /unsupported proxy scheme "socks4"/], ['http://', /proxy URL/]] as const) {
    const r = await runCli(['-', '--progress', 'never', '-x', value], { stdin: `${site.url('127.0.0.1', '/page/1')}\n` });
    assert.equal(r.code, 2, `${value}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('certificate checks hold through the proxies: ECERT without -k, verified false with the reason under -k', async () => {
  const expired = rig.url('expired', '/p');
  const wrong = `https://127.0.0.1:${rig.ports.wrongHost}/p`;
  for (const [proxy, url, message] of [
    [proxyArg('socks5h'), expired, 'certificate has expired'],
    [http.url, wrong, 'certificate is for other.test, not 127.0.0.1'],
  ] as const) {
    const strict = await crawl([url], ['-x', proxy, '--retries', '2']);
    assert.deepEqual(byUrl(strict, url).error, { code: 'ECERT', message }, proxy);
    assert.equal(byUrl(strict, url).attempts, 1);
    const loose = await crawl([url], ['-x', proxy, '-k']);
    assert.deepEqual(byUrl(loose, url).tls, { version: 'TLSv1.3', verified: false, error: message }, proxy);
  }
});

test('-x https://: TLS to the proxy itself (its certificate checked with --cacert), then http and https through it', async (t) => {
  const secureProxy = await startProxy({ tls: { key: rig.pki.good.key, cert: rig.pki.good.cert + rig.pki.intermediate.cert } });
  t.after(() => secureProxy.close());
  const plain = site.url('127.0.0.2', '/page/1');
  const secure = `https://127.0.0.1:${rig.ports.good}/via-https-proxy`;
  const r = await crawl([plain, secure], ['-x', secureProxy.url]);
  assert.ok(r.records.every((x) => x.ok === true), r.stdout);
  assert.deepEqual(byUrl(r, secure).tls, { version: 'TLSv1.3', verified: true });
  assert.equal(secureProxy.requests.length, 2);
  // Without the test root the proxy's own certificate is refused: the run cannot reach anything.
  const untrusted = await runCli(['-', '--progress', 'never', '--retries', '0', '-x', secureProxy.url], { stdin: `${plain}\n`, env: { ...DEAD_ENV, NODE_EXTRA_CA_CERTS: '' } });
  const err = untrusted.records[0]?.error as { code: string; message: string } | undefined;
  assert.equal(err?.code, 'EPROXY', untrusted.stdout);
  assert.match(err.message, /^cannot connect to the proxy https:\/\/127\.0\.0\.1:\d+: its certificate was not accepted: certificate chain is incomplete or issued by an unknown authority$/);
});
