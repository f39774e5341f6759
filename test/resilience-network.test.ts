// Resilience, part 4: the network path. HTTP_PROXY sends every plain-http request through the proxy
// (and NO_PROXY exempts hosts), with --per-host and the cookie jar still working through it;
// --resolve connects a made-up name to a loopback address without any DNS look-up.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { startProxy, type ForwardProxy } from '../fixtures/proxy.js';
import { startSite, type FixtureSite } from '../fixtures/site.js';
import { runCli } from './helpers/cli.js';
import { recordFor } from './helpers/resilience.js';

let site: FixtureSite;
let proxy: ForwardProxy;

before(async () => {
  site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'] });
  proxy = await startProxy();
});

after(async () => {
  await proxy.close();
  await site.close();
});

beforeEach(() => {
  site.resetStats();
  proxy.requests.length = 0;
});

const QUIET = ['--progress', 'never'];

/**
 * The child's proxy settings, and nothing inherited: the helper drops the parent's *_proxy
 * variables (any case) and these are the only ones the child sees.
 */
function proxyEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { HTTP_PROXY: proxy.url, NO_PROXY: undefined, no_proxy: undefined, ...extra };
}

function pages(n: number, query = ''): string[] {
  return Array.from({ length: n }, (_, i) => site.url('127.0.0.2', `/page/${i + 1}${query}`));
}

test('with HTTP_PROXY every request goes through the proxy, one proxied request per URL, all ok', async () => {
  const urls = pages(5, '?via=proxy');
  const r = await runCli(QUIET, { stdin: urls.join('\n') + '\n', env: proxyEnv() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 5);
  for (const [i, url] of urls.entries()) {
    const rec = recordFor(r.records, url);
    assert.equal(rec.ok, true, JSON.stringify(rec));
    assert.equal(rec.title, `Page ${i + 1}`);
  }
  // Plain http through a forward proxy is absolute-form GET (as curl sends it), not a CONNECT tunnel:
  // the proxy sees, and could filter or log, each URL.
  assert.deepEqual(proxy.requests.map((q) => `${q.method} ${q.target}`).sort(), urls.map((u) => `GET ${u}`).sort());
  assert.equal(site.stats.perHost.get('127.0.0.2')?.requests, 5, 'the site got the 5 requests (from the proxy)');
  assert.ok(site.stats.log.every((e) => e.headers.host === `127.0.0.2:${site.port}`), 'Host header names the origin');
});

test('with NO_PROXY=127.0.0.2 the proxy sees none of the requests and all are ok', async () => {
  const urls = pages(5, '?via=direct');
  const r = await runCli(QUIET, { stdin: urls.join('\n') + '\n', env: proxyEnv({ NO_PROXY: '127.0.0.2' }) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.records.length, 5);
  assert.ok(r.records.every((x) => x.ok === true), r.stdout);
  assert.equal(site.stats.perHost.get('127.0.0.2')?.requests, 5);
  assert.deepEqual(proxy.requests, []);
});

for (const perHost of [1, 5]) {
  const name = perHost === 1
    ? 'through the proxy --per-host 1 still keeps the site at one request in flight'
    : 'through the proxy --per-host 5 lets the same requests overlap (the per-host check can fail)';
  test(name, async () => {
    const urls = pages(5, `?delay=150&per=${perHost}`);
    const r = await runCli([...QUIET, '--limit', '5', '--per-host', String(perHost)], { stdin: urls.join('\n') + '\n', env: proxyEnv() });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.records.length === 5 && r.records.every((x) => x.ok === true), r.stdout);
    assert.equal(proxy.requests.length, 5, 'all five went through the proxy');
    // With 1 the bound must hold; with 5 the same measurement must show overlap (it can fail).
    if (perHost === 1) assert.equal(site.stats.perHost.get('127.0.0.2')?.maxInFlight, 1);
    else assert.ok((site.stats.perHost.get('127.0.0.2')?.maxInFlight ?? 0) > 1, 'requests overlap with --per-host 5');
  });
}

test('the cookie jar works through the proxy: /cookie/set then /cookie/need in one run is Welcome', async () => {
  const set = site.url('127.0.0.2', '/cookie/set');
  const need = site.url('127.0.0.2', '/cookie/need');
  const r = await runCli([...QUIET, '--limit', '1'], { stdin: `${set}\n${need}\n`, env: proxyEnv() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(recordFor(r.records, set).title, 'Cookie Set');
  const rec = recordFor(r.records, need);
  assert.equal(rec.ok, true, JSON.stringify(rec));
  assert.equal(rec.title, 'Welcome');
  assert.deepEqual(proxy.requests.map((q) => q.target), [set, need]);
});

test('--resolve example.test:PORT:127.0.0.2 reaches 127.0.0.2 with Host example.test:PORT, no DNS', async () => {
  // .test is reserved (RFC 6761): a DNS look-up would fail. The rule applies before any look-up.
  const url = `http://example.test:${site.port}/page/1`;
  const r = await runCli([...QUIET, '--retries', '0', '--resolve', `example.test:${site.port}:127.0.0.2`], { stdin: `${url}\n` });
  assert.equal(r.code, 0, r.stderr);
  const rec = recordFor(r.records, url);
  assert.equal(rec.ok, true, JSON.stringify(rec));
  assert.equal(rec.title, 'Page 1');
  assert.equal(rec.finalUrl, url);
  assert.equal(site.stats.log.length, 1);
  const seen = site.stats.log[0]!;
  assert.equal(seen.host, '127.0.0.2');
  assert.equal(seen.path, '/page/1');
  assert.equal(seen.headers.host, `example.test:${site.port}`);
});
