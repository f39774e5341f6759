// src/v8/wasm-tier.ts keeps WebAssembly on Liftoff, so V8 never recompiles undici's llhttp with TurboFan
// mid-crawl (a ~35 MB burst of compiler memory that the C allocator keeps). Checked as a user sees it:
// the real CLI crawling a few pages, peak RSS from GNU time (or /proc VmHWM), against the same crawl
// with node's own `--wasm-tier-up` flag, which is the user's choice and so turns the setting off.
// Measured here: ~63 MB against ~98 MB; the test asks for 15 MB less. It fails if a Node/V8 upgrade
// drops or ignores --liftoff-only set at run time (and then the CLI's stderr would say so too).
// crawl's own module (links.wasm) is compiled with TurboFan all the same: V8's %IsLiftoffFunction
// (node --allow-natives-syntax) says which compiler made a function's code.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startSite } from '../fixtures/site.js';
import { tempDir } from './helpers/cli.js';
import { runMeasured, writeList } from './helpers/resilience.js';
import { userTieredWasm } from '../src/v8/wasm-tier.js';

test('userTieredWasm finds Liftoff and tier-up flags on the command line and in NODE_OPTIONS, and nothing else', () => {
  for (const flag of ['--liftoff', '--no-liftoff', '--liftoff-only', '--liftoff_only', '--wasm-tier-up', '--no-wasm-tier-up', '--wasm-dynamic-tiering', '--no-wasm_dynamic_tiering', '--wasm-tiering-budget=5']) {
    assert.equal(userTieredWasm([flag], undefined), true, flag);
    assert.equal(userTieredWasm([], `--max-old-space-size=512 ${flag}`), true, `NODE_OPTIONS ${flag}`);
  }
  for (const other of ['--max-semi-space-size=8', '--wasm-max-mem-pages=10', '--liftoffx', '--stack-size=900', 'liftoff']) assert.equal(userTieredWasm([other], other), false, other);
  assert.equal(userTieredWasm([], undefined), false);
});

const TIER = fileURLToPath(new URL('../src/v8/wasm-tier.js', import.meta.url));
const LINKS_WASM = fileURLToPath(new URL('../src/extract/links.wasm', import.meta.url));

test('compileOptimized: crawl\'s module gets TurboFan code while WebAssembly is kept on Liftoff', () => {
  const script = `
    const { readFileSync } = await import('node:fs');
    const { keepWasmOnLiftoff, compileOptimized } = await import(${JSON.stringify(TIER)});
    // A module of one function returning n: (module (func (export "f") (result i32) i32.const n)).
    const tiny = (n) => new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7f, 3, 2, 1, 0, 7, 5, 1, 1, 0x66, 0, 0, 0x0a, 6, 1, 4, 0, 0x41, n, 0x0b]);
    const env = { env: { ask: () => -1, reference: () => 0 } };
    const kept = keepWasmOnLiftoff([], '');
    const links = new WebAssembly.Instance(compileOptimized(readFileSync(${JSON.stringify(LINKS_WASM)})), env).exports;
    const other = new WebAssembly.Instance(new WebAssembly.Module(tiny(7)), {}).exports.f;
    console.log(JSON.stringify({ kept, f: other(), base: links.heapBase() > 0, linksLiftoff: %IsLiftoffFunction(links.heapBase), otherLiftoff: %IsLiftoffFunction(other) }));
  `;
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 30_000 });
  assert.deepEqual(JSON.parse(out), { kept: true, f: 7, base: true, linksLiftoff: false, otherLiftoff: true });
});

test('a crawl peaks at least 15 MB lower in RSS with WebAssembly kept on Liftoff than with TurboFan tier-up (node --wasm-tier-up)', async (t) => {
  const dir = await tempDir('crawl-wasm-tier-');
  const site = await startSite({ hosts: ['127.0.0.1'], log: false });
  try {
    const list = await writeList(dir.file('urls.txt'), Array.from({ length: 20 }, (_, i) => site.url('127.0.0.1', `/page/${i + 1}`)));
    const args = ['--progress', 'never', '--links', list];
    const liftoff = await runMeasured(args, dir.file('liftoff.rss'));
    const tiered = await runMeasured(args, dir.file('tiered.rss'), 60_000, ['--wasm-tier-up']);
    for (const r of [liftoff, tiered]) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.records.filter((x) => x.ok && Array.isArray(x.links)).length, 20);
    }
    assert.equal(liftoff.stderr, '', 'nothing on stderr (an unknown V8 flag would print there)');
    const mb = (kib: number): string => (kib / 1024).toFixed(0);
    t.diagnostic(`peak RSS: Liftoff only ${mb(liftoff.peakKiB)} MiB, with tier-up ${mb(tiered.peakKiB)} MiB (${liftoff.method})`);
    assert.ok(liftoff.peakKiB > 0);
    assert.ok(tiered.peakKiB - liftoff.peakKiB >= 15 * 1024, `Liftoff only ${mb(liftoff.peakKiB)} MiB, with tier-up ${mb(tiered.peakKiB)} MiB`);
  } finally {
    await site.close();
    await dir.cleanup();
  }
});
