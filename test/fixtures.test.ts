// Tests for the fixture web site and forward proxy, using real requests over loopback.
// Covers multi-host accounting, legacy charsets, faults, the gzip bomb, proxying and prompt shutdown.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { createGunzip } from 'node:zlib';
import { startProxy } from '../fixtures/proxy.js';
import { startSite } from '../fixtures/site.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function open(url: string, via?: { host: string; port: number }): Promise<IncomingMessage> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      via === undefined
        ? { host: target.hostname, port: target.port, path: target.pathname + target.search }
        : { host: via.host, port: via.port, path: url, headers: { host: target.host } },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

async function get(url: string, via?: { host: string; port: number }): Promise<Reply> {
  const res = await open(url, via);
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
}

function title(text: string): string | undefined {
  return /<title>(.*?)<\/title>/s.exec(text)?.[1];
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const FOUR = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];

test('four hosts share one port and are counted separately', async () => {
  const site = await startSite({ hosts: FOUR });
  try {
    assert.deepEqual(site.hosts, FOUR);
    assert.equal(site.url('127.0.0.3', '/page/1'), `http://127.0.0.3:${site.port}/page/1`);
    for (const [i, host] of FOUR.entries()) {
      for (let n = 0; n <= i; n++) {
        const reply = await get(site.url(host, `/page/${n + 1}`));
        assert.equal(reply.status, 200);
        assert.equal(title(reply.body.toString()), `Page ${n + 1}`);
      }
    }
    assert.equal(site.stats.requests, 10);
    assert.deepEqual(
      FOUR.map((host) => site.stats.perHost.get(host)?.requests),
      [1, 2, 3, 4],
    );
    assert.deepEqual(
      site.stats.log.map((entry) => entry.host),
      ['127.0.0.1', '127.0.0.2', '127.0.0.2', '127.0.0.3', '127.0.0.3', '127.0.0.3', '127.0.0.4', '127.0.0.4', '127.0.0.4', '127.0.0.4'],
    );
    assert.equal(site.stats.log[0]?.path, '/page/1');
    assert.equal(site.stats.inFlight, 0);
  } finally {
    await site.close();
  }
});

test('?delay keeps requests in flight; resetStats zeroes counters and the log', async () => {
  const site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'] });
  try {
    const started = Date.now();
    const replies = await Promise.all([
      get(site.url('127.0.0.1', '/slow?delay=300')),
      get(site.url('127.0.0.1', '/slow?delay=300')),
      get(site.url('127.0.0.2', '/slow?delay=300')),
    ]);
    assert.ok(Date.now() - started >= 290);
    assert.deepEqual(replies.map((r) => title(r.body.toString())), ['Slow', 'Slow', 'Slow']);
    assert.equal(site.stats.maxInFlight, 3);
    assert.equal(site.stats.perHost.get('127.0.0.1')?.maxInFlight, 2);
    assert.equal(site.stats.inFlight, 0);
    site.resetStats();
    assert.equal(site.stats.requests, 0);
    assert.equal(site.stats.maxInFlight, 0);
    assert.equal(site.stats.log.length, 0);
    assert.equal(site.stats.perHost.size, 0);
  } finally {
    await site.close();
  }
});

test('GBK and Shift_JIS titles decode correctly with TextDecoder', async () => {
  const site = await startSite();
  try {
    const gbk = await get(site.url('127.0.0.1', '/charset/gbk'));
    assert.equal(gbk.headers['content-type'], 'text/html');
    assert.ok(gbk.body.includes('<meta charset="gbk">'));
    assert.equal(title(new TextDecoder('gbk').decode(gbk.body)), '中文标题');
    assert.notEqual(title(gbk.body.toString('utf8')), '中文标题');

    const sjis = await get(site.url('127.0.0.1', '/charset/sjis'));
    assert.equal(sjis.headers['content-type'], 'text/html; charset=Shift_JIS');
    assert.equal(title(new TextDecoder('shift_jis').decode(sjis.body)), '日本語のタイトル');

    const utf8 = await get(site.url('127.0.0.1', '/charset/utf8'));
    assert.equal(title(utf8.body.toString('utf8')), 'Café — naïve 日本');

    const bom = await get(site.url('127.0.0.1', '/charset/bom'));
    assert.deepEqual([...bom.body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal(bom.headers['content-type'], 'text/html');
  } finally {
    await site.close();
  }
});

test('flaky fails exactly N times per key, and resetStats restarts the count', async () => {
  const site = await startSite();
  try {
    const statuses = async (path: string, times: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < times; i++) out.push((await get(site.url('127.0.0.1', path))).status);
      return out;
    };
    assert.deepEqual(await statuses('/flaky/a?fail=3', 5), [503, 503, 503, 200, 200]);
    assert.deepEqual(await statuses('/flaky/b?fail=1', 2), [503, 200]);
    const ok = await get(site.url('127.0.0.1', '/flaky/a?fail=3'));
    assert.equal(title(ok.body.toString()), 'Flaky a');
    site.resetStats();
    assert.deepEqual(await statuses('/flaky/a?fail=3', 4), [503, 503, 503, 200]);
  } finally {
    await site.close();
  }
});

test('retry-after, redirects, compression and the png answer as specified', async () => {
  const site = await startSite();
  const at = (path: string): string => site.url('127.0.0.1', path);
  try {
    const first = await get(at('/retry-after/k?seconds=2'));
    assert.equal(first.status, 429);
    assert.equal(first.headers['retry-after'], '2');
    assert.equal(title((await get(at('/retry-after/k?seconds=2'))).body.toString()), 'After');
    const dated = await get(at('/retry-after/d?seconds=1&date=1'));
    assert.ok(Date.parse(dated.headers['retry-after'] ?? '') >= Date.now());

    assert.equal((await get(at('/redirect/2'))).headers.location, '/redirect/1');
    assert.equal((await get(at('/redirect/0'))).headers.location, '/page/1');
    assert.equal((await get(at('/redirect/relative'))).status, 301);
    const hop = await get(at('/redirect/cookie'));
    assert.deepEqual(hop.headers['set-cookie'], ['hop=1; Path=/']);

    for (const [path, name] of [['/gzip', 'Gzip Page'], ['/deflate', 'Deflate Page'], ['/br', 'Brotli Page']]) {
      const res = await fetch(at(path ?? ''));
      assert.equal(title(await res.text()), name);
    }
    const png = await get(at('/image.png'));
    assert.equal(png.headers['content-type'], 'image/png');
    assert.deepEqual([...png.body.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const missing = await get(at('/no/such/thing'));
    assert.equal(missing.status, 404);
    assert.equal(title(missing.body.toString()), 'Not Found');
  } finally {
    await site.close();
  }
});

test('gzip bomb is small on the wire and inflates past 100 MB', async () => {
  const site = await startSite();
  try {
    const res = await open(site.url('127.0.0.1', '/gzip-bomb?mb=128'));
    assert.equal(res.headers['content-encoding'], 'gzip');
    const wire = Number(res.headers['content-length']);
    assert.ok(wire < 1_000_000, `compressed size ${wire}`);
    let inflated = 0;
    let head = '';
    const gunzip = res.pipe(createGunzip());
    for await (const chunk of gunzip) {
      const buf = chunk as Buffer;
      if (head.length < 64) head += buf.subarray(0, 64).toString('latin1');
      inflated += buf.length;
    }
    assert.ok(head.startsWith('<html><head><title>Bomb</title>'));
    assert.ok(inflated > 100 * 1024 * 1024, `inflated only ${inflated} bytes`);
  } finally {
    await site.close();
  }
});

test('proxy forwards absolute-form requests and CONNECT tunnels, records them, refuses other hosts', async () => {
  const site = await startSite({ hosts: ['127.0.0.2'] });
  const proxy = await startProxy();
  try {
    assert.equal(proxy.url, `http://127.0.0.1:${proxy.port}`);
    const via = { host: '127.0.0.1', port: proxy.port };
    const target = site.url('127.0.0.2', '/cookie/set');
    const reply = await get(target, via);
    assert.equal(reply.status, 200);
    assert.equal(title(reply.body.toString()), 'Cookie Set');
    assert.deepEqual(reply.headers['set-cookie'], ['session=abc123; Path=/; HttpOnly']);
    assert.equal(site.stats.perHost.get('127.0.0.2')?.requests, 1);

    const refused = await get('http://192.0.2.1/', via);
    assert.equal(refused.status, 403);

    const tunnelled = await new Promise<string>((resolve, reject) => {
      const socket = connect(proxy.port, '127.0.0.1', () => {
        socket.write(`CONNECT 127.0.0.2:${site.port} HTTP/1.1\r\nHost: 127.0.0.2:${site.port}\r\n\r\n`);
        socket.write(`GET /page/7 HTTP/1.1\r\nHost: 127.0.0.2:${site.port}\r\nConnection: close\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(tunnelled, /^HTTP\/1\.1 200 Connection Established\r\n/);
    assert.equal(title(tunnelled), 'Page 7');

    assert.deepEqual(proxy.requests, [
      { method: 'GET', target },
      { method: 'GET', target: 'http://192.0.2.1/' },
      { method: 'CONNECT', target: `127.0.0.2:${site.port}` },
    ]);
  } finally {
    await proxy.close();
    await site.close();
  }
});

test('close() returns promptly with a /hang request open', async () => {
  const site = await startSite({ hosts: ['127.0.0.1', '127.0.0.2'] });
  const hanging = open(site.url('127.0.0.2', '/hang')).then(
    () => 'answered',
    (err: NodeJS.ErrnoException) => err.code ?? err.message,
  );
  await until(() => site.stats.inFlight === 1);
  const started = performance.now();
  await site.close();
  assert.ok(performance.now() - started < 1000, 'close took too long');
  assert.equal(await hanging, 'ECONNRESET');
  assert.equal(site.stats.inFlight, 0);
});
