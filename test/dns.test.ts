// The DNS fixture server (asked by c-ares through node:dns, a real client) and the crawl's DNS cache
// (src/fetch/dns.ts) against it: concurrency, one look-up per name, TTLs, failures and their codes,
// names that must stay with getaddrinfo. No query goes anywhere but the fixture on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookup as systemLookup, promises as dnsPromises, type LookupAddress } from 'node:dns';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDns, type DnsFixture } from '../fixtures/dns.js';
import { DnsCache, hostsFileNames, type DnsOptions } from '../src/fetch/dns.js';
import { errorCode, transientError } from '../src/fetch/errors.js';

interface Result {
  err: (Error & { code?: string }) | null;
  addresses: LookupAddress[];
  ms: number;
}

function lookupAll(cache: DnsCache, name: string): Promise<Result> {
  const start = performance.now();
  return new Promise((resolve) => {
    cache.lookup(name, { all: true }, (err, addresses) => {
      resolve({ err, addresses: Array.isArray(addresses) ? addresses : [], ms: performance.now() - start });
    });
  });
}

async function withDns(fixture: DnsFixture, opts: DnsOptions, body: (cache: DnsCache) => Promise<void>): Promise<void> {
  const cache = new DnsCache({ servers: [fixture.server], ...opts });
  try {
    await body(cache);
  } finally {
    cache.close();
    await fixture.close();
  }
}

test('fixture: answers A and AAAA after its delay, NXDOMAIN, SERVFAIL, and never answers a dropped name', async () => {
  const dns = await startDns({
    delayMs: 40,
    names: {
      'two.test': { a: ['127.0.0.7', '127.0.0.8'], aaaa: ['::1', 'fd00::1:2'], ttl: 42 },
      'bad.test': { rcode: 'SERVFAIL' },
      'hole.test': { drop: true },
    },
  });
  const resolver = new dnsPromises.Resolver({ timeout: 300, tries: 1 });
  resolver.setServers([dns.server]);
  try {
    const start = performance.now();
    const a = await resolver.resolve4('two.test', { ttl: true });
    assert.ok(performance.now() - start >= 35, 'the answer waited for the delay');
    assert.deepEqual(a, [{ address: '127.0.0.7', ttl: 42 }, { address: '127.0.0.8', ttl: 42 }]);
    assert.deepEqual(await resolver.resolve6('TWO.test'), ['::1', 'fd00::1:2']);
    await assert.rejects(resolver.resolve4('nope.test'), { code: 'ENOTFOUND' });
    await assert.rejects(resolver.resolve4('bad.test'), { code: 'ESERVFAIL' });
    await assert.rejects(resolver.resolve4('hole.test'), { code: 'ETIMEOUT' });
    assert.equal(dns.queries.get('two.test/A'), 1);
    assert.equal(dns.queries.get('two.test/AAAA'), 1, 'names are counted in lower case');
    assert.equal(dns.queries.get('hole.test'), 1);
    assert.equal(dns.total(), 5);
    assert.equal(dns.inFlight(), 0);
  } finally {
    await dns.close();
  }
});

test('fixture: counts the most queries waiting for their answer at once', async () => {
  const dns = await startDns({ delayMs: 150, answer: (name) => (name.endsWith('.many.test') ? { a: ['127.0.0.1'] } : undefined) });
  const resolver = new dnsPromises.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([dns.server]);
  try {
    await Promise.all(Array.from({ length: 40 }, (_, i) => resolver.resolve4(`n${i}.many.test`)));
    assert.ok(dns.maxInFlight() >= 30, `max in flight ${dns.maxInFlight()}`);
    assert.ok(dns.maxInFlight() <= 40);
    dns.reset();
    await resolver.resolve4('n1.many.test');
    assert.equal(dns.maxInFlight(), 1);
  } finally {
    await dns.close();
  }
});

test('cache: hundreds of names resolve at once, not a few at a time (no thread pool)', async () => {
  const dns = await startDns({ delayMs: 100, answer: (name) => (name.endsWith('.wide.test') ? { a: ['127.0.0.9'] } : undefined) });
  await withDns(dns, {}, async (cache) => {
    const start = performance.now();
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => lookupAll(cache, `h${i}.wide.test`)));
    const ms = performance.now() - start;
    for (const r of results) assert.deepEqual(r.addresses, [{ address: '127.0.0.9', family: 4 }]);
    assert.ok(dns.maxInFlight() >= 64, `max in flight ${dns.maxInFlight()}`);
    // 300 names through four getaddrinfo threads at 100 ms would take ≥ 7.5 s.
    assert.ok(ms < 5000, `took ${Math.round(ms)} ms`);
  });
});

test('cache: one look-up per name however many wait for it, then none until the TTL runs out', async () => {
  let now = 1_000_000;
  const dns = await startDns({ delayMs: 30, names: { 'shared.test': { a: ['127.0.0.2'], aaaa: ['::1'], ttl: 60 } } });
  await withDns(dns, { now: () => now }, async (cache) => {
    const results = await Promise.all(Array.from({ length: 50 }, () => lookupAll(cache, 'shared.test')));
    for (const r of results) assert.deepEqual(r.addresses, [{ address: '127.0.0.2', family: 4 }, { address: '::1', family: 6 }]);
    assert.equal(dns.queries.get('shared.test/A'), 1);
    assert.equal(dns.queries.get('shared.test/AAAA'), 1);
    now += 59_000;
    const cached = await lookupAll(cache, 'Shared.Test.');
    assert.equal(cached.addresses.length, 2);
    assert.equal(dns.queries.get('shared.test/A'), 1, 'still within the TTL');
    now += 2_000;
    await lookupAll(cache, 'shared.test');
    assert.equal(dns.queries.get('shared.test/A'), 2, 'asked again once the TTL ran out');
  });
});

test('cache: a TTL above five minutes is cut to five minutes', async () => {
  let now = 0;
  const dns = await startDns({ names: { 'long.test': { a: ['127.0.0.3'], ttl: 86_400 } } });
  await withDns(dns, { now: () => now }, async (cache) => {
    await lookupAll(cache, 'long.test');
    now += 299_000;
    await lookupAll(cache, 'long.test');
    assert.equal(dns.queries.get('long.test/A'), 1);
    now += 2_000;
    await lookupAll(cache, 'long.test');
    assert.equal(dns.queries.get('long.test/A'), 2);
  });
});

test('cache: one family answering is enough, the other is given 50 ms', async () => {
  const dns = await startDns({ names: { 'v4only.test': { a: ['127.0.0.4'] } } });
  await withDns(dns, {}, async (cache) => {
    const r = await lookupAll(cache, 'v4only.test');
    assert.equal(r.err, null);
    assert.deepEqual(r.addresses, [{ address: '127.0.0.4', family: 4 }]);
    const one = await new Promise<[string, number]>((resolve, reject) => {
      cache.lookup('v4only.test', {}, (err, address, family) => (err ? reject(err) : resolve([address as string, family ?? 0])));
    });
    assert.deepEqual(one, ['127.0.0.4', 4]);
  });
});

test('cache: NXDOMAIN is ENOTFOUND at once, one query per type, kept briefly', async () => {
  let now = 0;
  const dns = await startDns({ delayMs: 20 });
  await withDns(dns, { now: () => now }, async (cache) => {
    const r = await lookupAll(cache, 'gone.test');
    assert.equal(r.err?.code, 'ENOTFOUND');
    assert.equal(errorCode(r.err), 'ENOTFOUND');
    assert.equal(transientError(r.err), false);
    assert.match(r.err?.message ?? '', /gone\.test/);
    assert.ok(r.ms < 1000, `${r.ms} ms`);
    const again = await lookupAll(cache, 'gone.test');
    assert.equal(again.err?.code, 'ENOTFOUND');
    assert.equal(dns.queries.get('gone.test/A'), 1);
    assert.equal(dns.queries.get('gone.test/AAAA'), 1);
    now += 31_000;
    await lookupAll(cache, 'gone.test');
    assert.equal(dns.queries.get('gone.test/A'), 2, 'negative answers are kept for 30 s only');
  });
});

test('cache: a name with no address records is ENOTFOUND', async () => {
  const dns = await startDns({ names: { 'empty.test': {} } });
  await withDns(dns, {}, async (cache) => {
    const r = await lookupAll(cache, 'empty.test');
    assert.equal(r.err?.code, 'ENOTFOUND');
    assert.match(r.err?.message ?? '', /no address/);
  });
});

test('cache: SERVFAIL is a transient failure, not cached', async () => {
  const dns = await startDns({ names: { 'flaky.test': { rcode: 'SERVFAIL' } } });
  await withDns(dns, {}, async (cache) => {
    const r = await lookupAll(cache, 'flaky.test');
    assert.equal(errorCode(r.err), 'ENOTFOUND');
    assert.equal(transientError(r.err), true);
    assert.match(r.err?.message ?? '', /SERVFAIL/);
    await lookupAll(cache, 'flaky.test');
    assert.equal(dns.queries.get('flaky.test/A'), 2);
  });
});

test('cache: no answer is ETIMEDOUT within the bound, and is asked again next time', async () => {
  const dns = await startDns({ names: { 'silent.test': { drop: true } } });
  await withDns(dns, { timeoutMs: 800 }, async (cache) => {
    const r = await lookupAll(cache, 'silent.test');
    assert.equal(errorCode(r.err), 'ETIMEDOUT');
    assert.ok(r.ms >= 700 && r.ms < 3000, `${Math.round(r.ms)} ms`);
    const before = dns.queries.get('silent.test/A') ?? 0;
    await lookupAll(cache, 'silent.test');
    assert.ok((dns.queries.get('silent.test/A') ?? 0) > before);
  });
});

test('hosts file: every name on a line, comments and case ignored', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crawl-hosts-'));
  const hostsFile = join(dir, 'hosts');
  try {
    await writeFile(hostsFile, '# test\n127.0.0.1 localhost\n127.0.0.1\tPinned.test other.test. # not.this\n\n::1 six.test\n');
    assert.deepEqual([...hostsFileNames(hostsFile)].sort(), ['localhost', 'other.test', 'pinned.test', 'six.test']);
    assert.equal(hostsFileNames(join(dir, 'missing')).size, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('cache: localhost, IP literals and /etc/hosts names resolve as getaddrinfo does, never through DNS', async () => {
  // Only names getaddrinfo answers from /etc/hosts or by itself: nothing here may reach a real DNS server.
  const pinned = [...hostsFileNames('/etc/hosts')].filter((n) => n.includes('.') && !n.endsWith('localhost')).slice(0, 3);
  const dns = await startDns({ answer: () => ({ a: ['127.0.0.99'] }) });
  await withDns(dns, {}, async (cache) => {
    const system = (name: string): Promise<LookupAddress[]> =>
      new Promise((resolve, reject) => systemLookup(name, { all: true }, (err, a) => (err ? reject(err) : resolve(a))));
    for (const name of ['localhost', 'LOCALHOST', '127.0.0.1', '::1', ...pinned]) {
      const r = await lookupAll(cache, name);
      assert.deepEqual(r.addresses, await system(name), name);
    }
    assert.equal(dns.total(), 0, `asked the DNS server: ${[...dns.queries.keys()].join(', ')}`);
    await lookupAll(cache, 'unpinned.test');
    assert.equal(dns.queries.get('unpinned.test/A'), 1, 'other names do go to the DNS server');
  });
});

test('cache: holds at most maxNames names, least recently used dropped first', async () => {
  const dns = await startDns({ answer: () => ({ a: ['127.0.0.1'] }) });
  await withDns(dns, { maxNames: 10 }, async (cache) => {
    for (let i = 0; i < 10; i++) await lookupAll(cache, `n${i}.lru.test`);
    await lookupAll(cache, 'n0.lru.test'); // n0 is now the most recently used
    for (let i = 10; i < 15; i++) await lookupAll(cache, `n${i}.lru.test`);
    assert.equal(cache.size, 10);
    await lookupAll(cache, 'n0.lru.test');
    assert.equal(dns.queries.get('n0.lru.test/A'), 1, 'n0 was kept');
    await lookupAll(cache, 'n1.lru.test');
    assert.equal(dns.queries.get('n1.lru.test/A'), 2, 'n1 was dropped');
  });
});

test('prefetch: names resolve in the background, at most prefetchInFlight at a time, each once; a later look-up is answered from the cache', async () => {
  const dns = await startDns({ delayMs: 80, answer: (name) => (name.endsWith('.ahead.test') ? { a: ['127.0.0.7'] } : undefined) });
  await withDns(dns, { prefetchInFlight: 8 }, async (cache) => {
    for (let i = 0; i < 40; i++) cache.prefetch(`h${i}.ahead.test`);
    for (let i = 0; i < 40; i++) cache.prefetch(`H${i}.Ahead.Test.`); // known or queued: nothing more
    // Names a connection asks for while their prefetch is queued or in flight share its look-up.
    const joined = await lookupAll(cache, 'h0.ahead.test');
    assert.deepEqual(joined.addresses, [{ address: '127.0.0.7', family: 4 }]);
    const deadline = performance.now() + 10_000;
    while (cache.size < 40 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(cache.size, 40, 'every prefetched name is in the cache');
    // Eight names at a time, two queries (A, AAAA) each.
    assert.ok(dns.maxInFlight() <= 16, `max in flight ${dns.maxInFlight()}`);
    assert.ok(dns.maxInFlight() >= 8, `max in flight ${dns.maxInFlight()}`);
    for (let i = 0; i < 40; i++) assert.equal(dns.queries.get(`h${i}.ahead.test/A`), 1, `h${i}`);
    const before = dns.total();
    const late = await lookupAll(cache, 'h39.ahead.test');
    assert.deepEqual(late.addresses, [{ address: '127.0.0.7', family: 4 }]);
    assert.equal(dns.total(), before, 'answered from the cache, no new query');
  });
});

test('prefetch: IP literals, localhost and hosts-file names are left to getaddrinfo (no query)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crawl-dns-'));
  const hosts = join(dir, 'hosts');
  await writeFile(hosts, '127.0.0.5 listed.test\n');
  const dns = await startDns({ answer: () => ({ a: ['127.0.0.9'] }) });
  try {
    await withDns(dns, { hostsFile: hosts }, async (cache) => {
      for (const name of ['127.0.0.1', '::1', '[::1]', 'localhost', 'app.localhost', 'listed.test', 'intranet']) cache.prefetch(name);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(dns.total(), 0, `queries: ${[...dns.queries.keys()].join(', ')}`);
      assert.equal(cache.size, 0);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
