// src/v8/heap.ts caps V8's young generation at run time. These tests run an allocation pattern like a
// crawl's over many hosts (objects that live through a few scavenges, the event loop turning between
// small chunks of work) in a child node and read new_space's size from V8: it grows to 32 MB
// without the cap, stays at 16 MB with it, grows again once the cap is lifted, and is left alone
// when the user gave node a semi-space flag. They fail if a Node/V8 upgrade stops honouring a
// growth factor set after start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { userGrowingHeap, userSizedYoung, YOUNG_CAP_BYTES } from '../src/v8/heap.js';

const HEAP = fileURLToPath(new URL('../src/v8/heap.js', import.meta.url));
const MB = 1024 * 1024;

/** Largest new_space (MB) seen over `rounds` chunks of work, capped or not, then after the cap is lifted. */
function child(mode: 'none' | 'cap', nodeArgs: string[] = []): { capped: number; after: number } {
  const script = `
    const { getHeapSpaceStatistics } = await import('node:v8');
    const { capYoungGeneration } = await import(${JSON.stringify(HEAP)});
    const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    // 100,000 live objects, replaced 5,000 at a time: each survives a few scavenges, then dies.
    const ring = new Array(100000);
    let at = 0;
    const work = async (rounds) => {
      let max = 0;
      for (let r = 0; r < rounds; r++) {
        for (let k = 0; k < 5000; k++, at = (at + 1) % ring.length) ring[at] = { at, r, s: 'x'.repeat(8) + k };
        await new Promise((resolve) => setImmediate(resolve));
        max = Math.max(max, newSpace());
      }
      return max;
    };
    const uncap = ${mode === 'cap' ? 'capYoungGeneration()' : '() => undefined'};
    const capped = await work(300);
    uncap();
    const after = await work(300);
    console.log(JSON.stringify({ capped, after }));
  `;
  const out = execFileSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 });
  const r = JSON.parse(out) as { capped: number; after: number };
  return { capped: r.capped / MB, after: r.after / MB };
}

test('without the cap this workload grows the young generation past 16 MB (so the next tests mean something)', () => {
  const { capped } = child('none');
  assert.ok(capped > YOUNG_CAP_BYTES / MB, `new_space reached only ${capped} MB`);
});

test('with the cap the young generation stays at 16 MB, and grows again once it is lifted', () => {
  const { capped, after } = child('cap');
  assert.ok(capped <= YOUNG_CAP_BYTES / MB, `new_space reached ${capped} MB under the cap`);
  assert.ok(after > YOUNG_CAP_BYTES / MB, `new_space stayed at ${after} MB after the cap was lifted`);
});

test('a semi-space flag of the user\'s wins: then the cap does nothing', () => {
  const { capped } = child('cap', ['--max-semi-space-size=16']);
  assert.ok(capped > YOUNG_CAP_BYTES / MB, `new_space was held at ${capped} MB despite --max-semi-space-size=16`);
});

test('userSizedYoung finds semi-space flags on the command line and in NODE_OPTIONS, and nothing else', () => {
  assert.equal(userSizedYoung(['--max-semi-space-size=32'], undefined), true);
  assert.equal(userSizedYoung([], '--max-old-space-size=512 --min-semi-space-size=2'), true);
  assert.equal(userSizedYoung([], '--semi-space-growth-factor=4'), true);
  assert.equal(userSizedYoung(['--max_semi_space_size=8'], undefined), true);
  assert.equal(userSizedYoung(['--max-old-space-size=512', '--import', 'x'], '--enable-source-maps'), false);
  assert.equal(userSizedYoung([], undefined), false);
});

// boundOldGeneration: a workload whose objects live long enough to be promoted and then die (like
// each origin's connection objects over 10,000 hosts) lets V8 grow the old generation to ~4× what a
// full collection keeps; held to 2× once that shows, the largest heap in use falls by about half
// (measured 172–177 MB → 92–98 MB here). A workload that promotes nothing must not set it.
function oldChild(mode: 'none' | 'bound', ringSize: number, nodeArgs: string[] = []): { maxUsed: number; tight: boolean } {
  const script = `
    const { getHeapStatistics } = await import('node:v8');
    const { boundOldGeneration } = await import(${JSON.stringify(HEAP)});
    let tight = false;
    const stop = ${mode === 'bound' ? 'boundOldGeneration(undefined, process.execArgv, "", () => { tight = true; })' : '() => undefined'};
    // ${ringSize} live objects, replaced 5,000 at a time between turns of the event loop; 10 MB
    // held throughout, as crawl's own code and caches are.
    const held = Array.from({ length: 100000 }, (_, i) => ({ i, s: 'h'.repeat(8) + i }));
    const ring = new Array(${ringSize});
    let at = 0;
    let max = 0;
    for (let r = 0; r < 1200; r++) {
      for (let k = 0; k < 5000; k++) {
        const o = { at, r, s: 'x'.repeat(8) + k, a: [r, k] };
        if (ring.length > 0) { ring[at] = o; at = (at + 1) % ring.length; }
      }
      await new Promise((resolve) => setImmediate(resolve));
      if (r > 100) max = Math.max(max, getHeapStatistics().used_heap_size);
    }
    stop();
    console.log(JSON.stringify({ maxUsed: max, tight, held: held.length }));
  `;
  const out = execFileSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 120_000 });
  const r = JSON.parse(out) as { maxUsed: number; tight: boolean };
  return { maxUsed: r.maxUsed / MB, tight: r.tight };
}

test('objects promoted and then dropped: once old space grows to twice what a full collection kept, it is held to 2× live', () => {
  const free = oldChild('none', 200_000);
  const bound = oldChild('bound', 200_000);
  assert.equal(bound.tight, true, 'the bound was never set');
  assert.ok(bound.maxUsed < 0.75 * free.maxUsed, `largest heap in use ${bound.maxUsed.toFixed(0)} MB bound, ${free.maxUsed.toFixed(0)} MB not`);
});

test('a workload that promotes nothing is left to V8 (the bound would only add collections)', () => {
  const r = oldChild('bound', 0);
  assert.equal(r.tight, false);
});

test('a heap-growing flag of the user\'s wins: then the old generation is not bound', () => {
  const r = oldChild('bound', 200_000, ['--heap-growing-percent=0']);
  assert.equal(r.tight, false);
  assert.equal(userGrowingHeap([], '--heap_growing_percent=50'), true);
  assert.equal(userGrowingHeap(['--heap-growing-percent=50'], undefined), true);
  assert.equal(userGrowingHeap(['--max-old-space-size=512'], '--heap-growing'), false);
});
