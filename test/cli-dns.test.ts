// The CLI's name resolution end to end: names go to the DNS fixture server given with --dns-servers
// (many at once, once per name), failures become the right records, names that need no DNS never
// reach it, and every record that connected says where (`ip`). Loopback only: the fixture site on
// 127.0.0.1–127.0.0.4, the DNS fixture on a UDP port of 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDns, type DnsFixture } from '../fixtures/dns.js';
import { startProxy } from '../fixtures/proxy.js';
import { startSocksProxy } from '../fixtures/socks.js';
import { startSite, type FixtureSite } from '../fixtures/site.js';
import { runCli } from './helpers/cli.js';

const FOUR = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];

/** `n<i>.many.test` resolves to one of the four site addresses. */
function addressOf(name: string): string | undefined {
  const m = /^n(\d+)\.many\.test$/.exec(name);
  return m ? FOUR[Number(m[1]) % 4] : undefined;
}

async function withServers(dnsOpts: Parameters<typeof startDns>[0], body: (site: FixtureSite, dns: DnsFixture) => Promise<void>): Promise<void> {
  const site = await startSite({ hosts: FOUR, log: false });
  const dns = await startDns({
    ...dnsOpts,
    answer: (name) => {
      const a = addressOf(name);
      return a === undefined ? undefined : { a: [a] };
    },
  });
  try {
    await body(site, dns);
  } finally {
    await dns.close();
    await site.close();
  }
}

test('many names are looked up at once (≥ 32 in flight at --limit 64), each once, and every record has its ip', async () => {
  await withServers({ delayMs: 150 }, async (site, dns) => {
    const urls = Array.from({ length: 240 }, (_, i) => `http://n${i % 120}.many.test:${site.port}/page/${i}`);
    const r = await runCli(['--dns-servers', dns.server, '--limit', '64', '--per-host', '4'], { stdin: urls.join('\n') + '\n', timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.records.length, 240);
    for (const rec of r.records) {
      assert.equal(rec.ok, true, JSON.stringify(rec));
      const host = new URL(rec.url as string).hostname;
      assert.equal(rec.ip, addressOf(host), `ip of ${host}`);
    }
    assert.ok(dns.maxInFlight() >= 32, `the DNS server saw at most ${dns.maxInFlight()} queries in flight`);
    for (let i = 0; i < 120; i++) {
      assert.equal(dns.queries.get(`n${i}.many.test/A`), 1, `n${i}: one A query`);
      assert.equal(dns.queries.get(`n${i}.many.test/AAAA`), 1, `n${i}: one AAAA query`);
    }
    // Each site address saw exactly the pages of the names that resolve to it.
    for (const host of FOUR) assert.equal(site.stats.perHost.get(host)?.requests, 60, host);
  });
});

test('one query per name however many URLs share it', async () => {
  await withServers({ delayMs: 50 }, async (site, dns) => {
    const urls = Array.from({ length: 200 }, (_, i) => `http://n${i % 5}.many.test:${site.port}/page/${i}`);
    const r = await runCli(['--dns-servers', dns.server, '--limit', '32', '--per-host', '8'], { stdin: urls.join('\n') + '\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.records.filter((x) => x.ok).length, 200);
    for (let i = 0; i < 5; i++) assert.equal(dns.queries.get(`n${i}.many.test`), 2, `n${i}: one A and one AAAA query`);
    assert.equal(dns.total(), 10);
  });
});

test('NXDOMAIN is ENOTFOUND at once, not retried, one query per type', async () => {
  await withServers({ delayMs: 10 }, async (site, dns) => {
    const r = await runCli(['--dns-servers', dns.server, '--retries', '3'], { stdin: `http://nowhere.test:${site.port}/\n` });
    assert.equal(r.code, 0, r.stderr);
    const [rec] = r.records;
    assert.equal((rec?.error as { code: string }).code, 'ENOTFOUND', JSON.stringify(rec));
    assert.match((rec?.error as { message: string }).message, /nowhere\.test/);
    assert.equal(rec?.attempts, 1);
    assert.ok((rec?.ms as number) < 1000, `${String(rec?.ms)} ms`);
    assert.equal(rec?.ip, undefined, 'no connection, no ip');
    assert.equal(dns.queries.get('nowhere.test/A'), 1);
    assert.equal(dns.queries.get('nowhere.test/AAAA'), 1);
  });
});

test('a name the server never answers is ETIMEDOUT within the bound and retried; SERVFAIL is retried too', async () => {
  const site = await startSite({ hosts: FOUR, log: false });
  const dns = await startDns({ names: { 'silent.test': { drop: true }, 'broken.test': { rcode: 'SERVFAIL' } } });
  try {
    const urls = [`http://silent.test:${site.port}/`, `http://broken.test:${site.port}/`];
    const r = await runCli(['--dns-servers', dns.server, '--retries', '1', '--timeout', '2000'], { stdin: urls.join('\n') + '\n' });
    assert.equal(r.code, 0, r.stderr);
    const by = new Map(r.records.map((x) => [new URL(x.url as string).hostname, x]));
    const silent = by.get('silent.test')!;
    const broken = by.get('broken.test')!;
    assert.equal((silent.error as { code: string }).code, 'ETIMEDOUT', JSON.stringify(silent));
    assert.match((silent.error as { message: string }).message, /DNS/);
    assert.equal(silent.attempts, 2);
    // Two look-ups bounded by --timeout each, plus one backoff: generous sanity bound.
    assert.ok((silent.ms as number) < 10_000, `${String(silent.ms)} ms`);
    assert.ok((dns.queries.get('silent.test/A') ?? 0) >= 2, 'asked again on the retry (timeouts are not cached)');
    assert.equal((broken.error as { code: string }).code, 'ENOTFOUND', JSON.stringify(broken));
    assert.match((broken.error as { message: string }).message, /SERVFAIL/);
    assert.equal(broken.attempts, 2);
    assert.equal(dns.queries.get('broken.test/A'), 2);
  } finally {
    await dns.close();
    await site.close();
  }
});

test('localhost and IP-literal URLs never reach the DNS server; ip is there on error records that connected, absent on refused ones', async () => {
  await withServers({}, async (site, dns) => {
    const urls = [
      `http://localhost:${site.port}/page/1`,
      `http://127.0.0.2:${site.port}/page/2`,
      `http://127.0.0.3:${site.port}/status/404`,
      `http://127.0.0.9:${site.port}/page/3`,
    ];
    const r = await runCli(['--dns-servers', dns.server, '--retries', '0'], { stdin: urls.join('\n') + '\n' });
    assert.equal(r.code, 0, r.stderr);
    const by = new Map(r.records.map((x) => [x.url as string, x]));
    assert.equal(by.get(urls[0]!)?.ok, true);
    assert.equal(by.get(urls[0]!)?.ip, '127.0.0.1');
    assert.equal(by.get(urls[1]!)?.ip, '127.0.0.2');
    assert.equal(by.get(urls[2]!)?.status, 404);
    assert.equal(by.get(urls[2]!)?.ip, '127.0.0.3');
    assert.equal((by.get(urls[3]!)?.error as { code: string }).code, 'ECONNREFUSED');
    assert.equal('ip' in by.get(urls[3]!)!, false);
    assert.equal(dns.total(), 0, `queries: ${[...dns.queries.keys()].join(', ')}`);
  });
});

test('--dns-servers takes curl\'s forms and rejects anything else with exit 2', async () => {
  const dns = await startDns({ names: { 'x.test': { a: ['127.0.0.1'] } } });
  try {
    for (const bad of ['example.com', '127.0.0.1:99999', '1.2.3', '[127.0.0.1]:53', '']) {
      const r = await runCli(['--dns-servers', bad], { stdin: '' });
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /--dns-servers/);
    }
    // A list: the first server does not answer (nothing listens there), the second does.
    const r = await runCli(['--dns-servers', `127.0.0.1:9,${dns.server}`, '--retries', '0'], { stdin: 'http://x.test:9/\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(dns.queries.get('x.test/A'), 1, 'the listed server was asked');
    assert.equal((r.records[0]?.error as { code: string }).code, 'ECONNREFUSED', JSON.stringify(r.records[0]));
  } finally {
    await dns.close();
  }
});

test('names of queued URLs are resolved ahead: with --limit 1 only the first URL waits for DNS', async () => {
  await withServers({ delayMs: 400 }, async (site, dns) => {
    const urls = Array.from({ length: 4 }, (_, i) => `http://n${i}.many.test:${site.port}/page/${i}`);
    const r = await runCli(['--dns-servers', dns.server, '--limit', '1'], { stdin: urls.join('\n') + '\n', timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    const ms = new Map(r.records.map((x) => [x.url as string, x.ms as number]));
    assert.ok(ms.get(urls[0]!)! >= 400, `the first URL waited for its name: ${String(ms.get(urls[0]!))} ms`);
    // The rest were looked up while the first was fetched: their turn found the answer cached.
    for (const u of urls.slice(1)) assert.ok(ms.get(u)! < 300, `${u}: ${String(ms.get(u))} ms, not a DNS round trip`);
    for (let i = 0; i < 4; i++) assert.equal(dns.queries.get(`n${i}.many.test/A`), 1, `n${i}: one A query`);
  });
});

test('through a proxy that resolves names (http, socks5h) nothing is looked up here, ahead or not; socks5 looks each up once', async () => {
  await withServers({ delayMs: 50 }, async (site, dns) => {
    const names = Array.from({ length: 4 }, (_, i) => `n${i}.many.test`);
    const http = await startProxy();
    const socks = await startSocksProxy({ names: Object.fromEntries(names.map((n) => [n, addressOf(n)!])) });
    try {
      const urls = names.map((n, i) => `http://${n}:${site.port}/page/${i}`);
      const env = { HTTP_PROXY: '', HTTPS_PROXY: '', NO_PROXY: '' };
      const viaHttp = await runCli(['--dns-servers', dns.server, '--limit', '1', '-x', http.url], { stdin: urls.join('\n') + '\n', env });
      assert.equal(viaHttp.code, 0, viaHttp.stderr);
      assert.equal(http.requests.length, 4, 'every URL went to the http proxy');
      const viaSocksH = await runCli(['--dns-servers', dns.server, '--limit', '1', '-x', socks.url.replace('socks5:', 'socks5h:')], { stdin: urls.join('\n') + '\n', env });
      assert.equal(viaSocksH.code, 0, viaSocksH.stderr);
      assert.equal(viaSocksH.records.filter((x) => x.ok).length, 4, viaSocksH.stdout);
      assert.equal(dns.total(), 0, `queries: ${[...dns.queries.keys()].join(', ')}`);
      const viaSocks = await runCli(['--dns-servers', dns.server, '--limit', '1', '-x', socks.url], { stdin: urls.join('\n') + '\n', env });
      assert.equal(viaSocks.code, 0, viaSocks.stderr);
      assert.equal(viaSocks.records.filter((x) => x.ok).length, 4, viaSocks.stdout);
      for (const n of names) assert.equal(dns.queries.get(`${n}/A`), 1, `${n}: one A query through socks5`);
    } finally {
      await Promise.all([http.close(), socks.close()]);
    }
  });
});

test('names pinned with --resolve are never looked up, ahead or not', async () => {
  await withServers({ delayMs: 50 }, async (site, dns) => {
    const urls = Array.from({ length: 3 }, (_, i) => `http://n${i}.many.test:${site.port}/page/${i}`);
    const pins = urls.flatMap((_, i) => ['--resolve', `n${i}.many.test:${site.port}:127.0.0.1`]);
    const r = await runCli(['--dns-servers', dns.server, '--limit', '1', ...pins], { stdin: urls.join('\n') + '\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.records.filter((x) => x.ok && x.ip === '127.0.0.1').length, 3, r.stdout);
    assert.equal(dns.total(), 0, `queries: ${[...dns.queries.keys()].join(', ')}`);
  });
});
