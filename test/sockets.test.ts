// The socket budget (src/fetch/sockets.ts) over real loopback sockets, and the descriptor arithmetic
// (src/fetch/descriptors.ts) that --limit is fitted with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { descriptorLimit, descriptorsFor, limitFor } from '../src/fetch/descriptors.js';
import { SocketBudget, socketReleased, socketUsed } from '../src/fetch/sockets.js';

test('idle sockets over the cap are closed, the one idle the longest first; busy ones never', async () => {
  const server = createServer((s) => s.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const s = connect(port, '127.0.0.1');
      await new Promise((resolve) => s.once('connect', resolve));
      sockets.push(s);
    }
    const budget = new SocketBudget(2);
    const users = sockets.map(() => ({}));
    for (const [i, s] of sockets.entries()) {
      budget.opened(s);
      socketUsed(s, users[i]!);
    }
    socketReleased(sockets[3]!, {}); // not its user: ignored
    assert.equal(budget.idleCount, 0);
    // Idle in the order 1, 2, 0, 3 with room for two: 1 goes when 0 falls idle, 2 when 3 does; 4 is busy.
    for (const i of [1, 2, 0, 3]) socketReleased(sockets[i]!, users[i]!);
    assert.deepEqual(sockets.map((s) => s.destroyed), [false, true, true, false, false]);
    assert.equal(budget.idleCount, 2);
    assert.equal(budget.open, 3);
    sockets[3]!.destroy();
    await new Promise((resolve) => sockets[3]!.once('close', resolve));
    assert.equal(budget.open, 2, 'a closed socket is forgotten');
    assert.equal(budget.closeIdle(), true);
    assert.equal(sockets[0]!.destroyed, true);
    socketUsed(sockets[4]!, {}); // another user now: the old one's release does nothing
    socketReleased(sockets[4]!, users[4]!);
    assert.equal(budget.idleCount, 0);
    assert.equal(budget.closeIdle(), false, 'the busy socket is not idle');
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('descriptor limit from /proc/self/limits, and the --limit that fits it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crawl-limits-'));
  try {
    const file = join(dir, 'limits');
    await writeFile(file, 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            256                  4096                 files\n');
    assert.equal(descriptorLimit(file), 256);
    await writeFile(file, 'Max open files            unlimited            unlimited            files\n');
    assert.equal(descriptorLimit(file), undefined);
    assert.equal(descriptorLimit(join(dir, 'missing')), undefined);
    assert.equal(descriptorsFor(200), 432);
    assert.equal(limitFor(256), 112);
    assert.ok(descriptorsFor(limitFor(256)) <= 256);
    assert.equal(limitFor(10), 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
