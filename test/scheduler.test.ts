// The scheduler on its own: the global and per-host limits, and that a slot kept by one origin's
// run of jobs goes back as soon as another origin waits for one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler } from '../src/schedule/scheduler.js';

interface Job {
  origin: string;
  n: number;
}

/** Jobs that each take one turn of the event loop; records start order and the most running at once. */
function harness(limit: number, perHost: number) {
  const started: string[] = [];
  const running = new Map<string, number>();
  let runningAll = 0;
  let maxAll = 0;
  const maxPerOrigin = new Map<string, number>();
  const scheduler = new Scheduler<Job>({
    limit,
    perHost,
    rate: 0,
    maxPending: 10_000,
    run: async (job) => {
      started.push(`${job.origin}${job.n}`);
      runningAll++;
      maxAll = Math.max(maxAll, runningAll);
      const r = (running.get(job.origin) ?? 0) + 1;
      running.set(job.origin, r);
      maxPerOrigin.set(job.origin, Math.max(maxPerOrigin.get(job.origin) ?? 0, r));
      await new Promise<void>((resolve) => setImmediate(resolve));
      runningAll--;
      running.set(job.origin, r - 1);
    },
  });
  return { scheduler, started, max: () => maxAll, maxPerOrigin };
}

test('scheduler: never more than --limit jobs in all and --per-host per origin, every job runs once', async () => {
  const h = harness(5, 2);
  for (let i = 0; i < 40; i++) h.scheduler.add('abcd'[i % 4]!, { origin: 'abcd'[i % 4]!, n: i });
  await h.scheduler.idle();
  assert.equal(h.started.length, 40);
  assert.equal(new Set(h.started).size, 40);
  assert.equal(h.max(), 5);
  for (const [origin, m] of h.maxPerOrigin) assert.equal(m, 2, `origin ${origin}`);
});

test('scheduler: an origin running alone keeps its slots, and gives one back as soon as another origin waits', async () => {
  const h = harness(2, 2);
  for (let i = 0; i < 10; i++) h.scheduler.add('a', { origin: 'a', n: i });
  // a0 and a1 hold both global slots; b's jobs are admitted by b's own per-host limit and wait for a
  // global slot, so each of a's slots goes to b after the a job it is running.
  h.scheduler.add('b', { origin: 'b', n: 0 });
  h.scheduler.add('b', { origin: 'b', n: 1 });
  await h.scheduler.idle();
  assert.deepEqual(h.started.slice(0, 4), ['a0', 'a1', 'b0', 'b1']);
  assert.equal(h.started.length, 12);
  assert.equal(h.max(), 2);
});

test('scheduler: stop drops waiting jobs, lets running ones finish, and idle() resolves', async () => {
  const h = harness(1, 1);
  for (let i = 0; i < 5; i++) h.scheduler.add('a', { origin: 'a', n: i });
  h.scheduler.stop();
  await h.scheduler.idle();
  assert.deepEqual(h.started, ['a0']);
  assert.equal(h.scheduler.size, 0);
});

test('scheduler: idle origins are forgotten, at once without --rate and once the interval has passed with it', async () => {
  const plain = harness(8, 2);
  for (let i = 0; i < 500; i++) plain.scheduler.add(`o${i}`, { origin: `o${i}`, n: 0 });
  assert.ok(plain.scheduler.originCount > 0);
  await plain.scheduler.idle();
  await new Promise((resolve) => setImmediate(resolve)); // the last slot is handed back after its job settles
  assert.equal(plain.scheduler.originCount, 0);

  const starts: number[] = [];
  const rated = new Scheduler<Job>({ limit: 8, perHost: 2, rate: 20, maxPending: 1000, run: async () => { starts.push(performance.now()); } });
  for (let i = 0; i < 50; i++) rated.add(`o${i % 10}`, { origin: `o${i % 10}`, n: i });
  await rated.idle();
  assert.equal(rated.originCount, 10, 'kept while the last start is within the interval');
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.equal(rated.originCount, 0, 'forgotten once the 50 ms interval has passed');
  // An origin that comes back starts at once, and its rate still holds from there.
  const before = starts.length;
  rated.add('o1', { origin: 'o1', n: 99 });
  rated.add('o1', { origin: 'o1', n: 100 });
  await rated.idle();
  const [a, b] = starts.slice(before);
  assert.ok(b! - a! >= 40, `second start ${Math.round(b! - a!)} ms after the first`);
});
