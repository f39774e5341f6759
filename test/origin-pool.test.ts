// The per-origin dispatcher (src/fetch/origin-pool.ts) behind the session's Agent, against a real
// loopback server: at most `connections` sockets per origin however many requests come at once,
// every request answered, the Agent's connection count back to zero (so it forgets the origin), and
// close/destroy settle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { request } from 'undici';
import { OriginPool } from '../src/fetch/origin-pool.js';
import { Agent } from '../src/fetch/undici.js';

async function server(delayMs: number): Promise<{ srv: Server; url: string; open: () => number; most: () => number; accepted: () => number }> {
  let open = 0;
  let most = 0;
  let accepted = 0;
  const srv = createServer((_req, res) => setTimeout(() => res.end('ok'), delayMs));
  srv.on('connection', (s: Socket) => {
    accepted++;
    most = Math.max(most, ++open);
    s.once('close', () => open--);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { srv, url: `http://127.0.0.1:${(srv.address() as { port: number }).port}`, open: () => open, most: () => most, accepted: () => accepted };
}

test('origin pool: at most `connections` sockets for 20 requests at once, all answered, reused', async () => {
  const s = await server(20);
  const agent = new Agent({ keepAliveTimeout: 200, factory: (origin: string | URL, o: object) => new OriginPool(origin, { ...o, connections: 3 }) });
  let disconnects = 0;
  agent.on('disconnect', () => disconnects++);
  try {
    const bodies = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const res = await request(`${s.url}/${i}`, { dispatcher: agent });
      return res.body.text();
    }));
    assert.deepEqual(bodies, Array<string>(20).fill('ok'));
    assert.equal(s.most(), 3, 'three connections, never more');
    assert.equal(s.accepted(), 3, 'and reused, not reopened');
    // Idle sockets close after keepAliveTimeout: the Agent sees every one go.
    const deadline = Date.now() + 5_000;
    while (s.open() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(s.open(), 0);
    assert.equal(disconnects, 3);
    // The origin was forgotten: a new request makes a new pool and connects again.
    const res = await request(`${s.url}/again`, { dispatcher: agent });
    assert.equal(await res.body.text(), 'ok');
    assert.equal(s.accepted(), 4);
  } finally {
    await agent.close();
    await new Promise((r) => s.srv.close(r));
  }
});

test('origin pool: destroy fails queued and running requests, close waits for them', async () => {
  const s = await server(100);
  const pool = new OriginPool(s.url, { connections: 1 });
  try {
    const a = request(`${s.url}/a`, { dispatcher: pool }).then((r) => r.body.text());
    const b = request(`${s.url}/b`, { dispatcher: pool }).then((r) => r.body.text());
    const closed = pool.close();
    assert.deepEqual(await Promise.all([a, b]), ['ok', 'ok'], 'close lets queued requests finish');
    await closed;
    assert.equal((pool as unknown as { closed: boolean }).closed, true);
    const p2 = new OriginPool(s.url, { connections: 1 });
    const c = request(`${s.url}/c`, { dispatcher: p2 }).then((r) => r.body.text());
    const d = request(`${s.url}/d`, { dispatcher: p2 }).then((r) => r.body.text());
    const settled = Promise.allSettled([c, d]);
    await new Promise((r) => setTimeout(r, 20));
    await p2.destroy(new Error('gone'));
    const results = await settled;
    assert.deepEqual(results.map((x) => x.status), ['rejected', 'rejected']);
  } finally {
    await new Promise((r) => s.srv.close(r));
  }
});
